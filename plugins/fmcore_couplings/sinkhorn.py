"""Entropic optimal transport: the Sinkhorn plan, and pairs drawn from it row by row."""

from __future__ import annotations

import math

import attrs
import torch
from attrs.validators import gt
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence

from fmcore import setting
from fmcore_couplings.blocks import Blocks, squared_distances

#: Scaling iterations between two absorptions of the scalings into the potentials (and checks).
SWEEP = 10


@attrs.frozen
class Sinkhorn:
    """Entropic OT: π = argmin ⟨π, C⟩ − ε H(π) with uniform marginals, ε = reg · mean(C); pairs ~ π.

    ``C_ij = ‖z_i − ε_j‖²`` on flattened samples, on random sub-batches of at most ``max_size`` points
    (by class when there are labels). Each data point draws its noise from its row of the plan,
    independently: with replacement, so a noise sample may be used twice and another not at all; the
    noise marginal is kept in expectation (the plan's column sums, ``1/n`` within ``tolerance``).
    ``reg → 0`` tends to minibatch OT, ``reg → ∞`` to the independent coupling.
    """

    reg: float = setting(0.05, "entropic regularisation ε as a fraction of the mean cost", validator=gt(0.0))
    max_size: int = setting(256, "most points per plan (the batch is split at random)", validator=gt(1))
    iterations: int = setting(500, "most Sinkhorn iterations (rounded up to a multiple of 10, where "
                              "convergence is checked)", validator=gt(0))
    tolerance: float = setting(1e-2, "stop once every column sums to 1/n within this relative error",
                               validator=gt(0.0))

    def pair(self, z: Tensor, noise: Tensor, cond: Tensor | None = None) -> Tensor:
        blocks = Blocks.random(z.shape[0], self.max_size, cond, z.device)
        plans = (self.log_plan(cost[:n, :n]).softmax(1) for cost, n in zip(blocks.costs(z, noise), blocks.sizes))
        columns = [torch.multinomial(plan, 1)[:, 0] for plan in plans]
        return blocks.join(pad_sequence(columns, batch_first=True))

    def plan(self, z: Tensor, noise: Tensor) -> Tensor:
        """The plan ``π`` (``[B, B]``, float64, entries summing to 1) of the whole batch as one block."""
        return self.log_plan(squared_distances(z.flatten(1), noise.flatten(1))).exp()

    def log_plan(self, cost: Tensor) -> Tensor:
        """``log π`` for a cost matrix ``C`` (``[n, n]``), in float64. With ``M = −C/ε`` and scaled
        potentials ``f, g``, ``π_ij = exp(f_i + g_j + M_ij)``; the marginals are ``a = b = 1/n``.

        One log-domain step (``g = −logsumexp_i M``, then ``f_i = log a − logsumexp_j(g_j + M_ij)``)
        starts it; then Sinkhorn's scalings ``v = b/(Kᵀu)``, ``u = a/(Kv)`` run on the current plan
        ``K``, and every ``SWEEP`` iterations ``log u``, ``log v`` are absorbed into ``f, g`` (the
        stabilised Sinkhorn of Schmitzer 2019): matrix-vector products, yet no overflow for small ε.
        Rows are exact after each ``u``; iterations stop once the columns are within ``tolerance``.
        """
        n = cost.shape[0]
        cost = cost.double()
        tiny = torch.finfo(torch.float64).tiny
        m = -cost / (self.reg * cost.mean()).clamp_min(tiny)
        g = -m.logsumexp(0)
        f = -(m + g).logsumexp(1) - math.log(n)
        for _ in range(math.ceil(self.iterations / SWEEP)):
            kernel = (f[:, None] + g + m).exp()
            u = torch.ones_like(f)
            for _ in range(SWEEP):
                v = 1 / (n * (kernel.T @ u).clamp_min(tiny))
                u = 1 / (n * (kernel @ v).clamp_min(tiny))
            f, g = f + u.log(), g + v.log()
            if float((n * v * (kernel.T @ u) - 1).abs().max()) <= self.tolerance:
                break
        return f[:, None] + g + m
