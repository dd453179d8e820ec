"""Meta's ``flow_matching``: the CondOT training loss, ``ODESolver`` sampling and likelihood.

Training: ``AffineProbPath(CondOTScheduler())`` samples ``x_t = t x_1 + (1 − t) x_0`` and its target
``dx_t = x_1 − x_0`` (``x_0`` noise, ``x_1`` data, as fmcore's t = 0 noise, t = 1 data); the loss is
``mean ‖net(x_t, t) − dx_t‖²`` with ``t`` drawn before the noise (see :mod:`benchmarks.peers.hand`).
Sampling and likelihood go through ``ODESolver`` (torchdiffeq underneath), whose model receives a
0-d time: :class:`Velocity` broadcasts it to the batch for fmcore-style ``net(x, t[B])`` modules.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from flow_matching.path import AffineProbPath
from flow_matching.path.scheduler import CondOTScheduler
from flow_matching.solver import ODESolver
from flow_matching.utils import ModelWrapper
from torch import Tensor, nn

PATH = AffineProbPath(scheduler=CondOTScheduler())


def loss(net: nn.Module, z: Tensor) -> Tensor:
    t = torch.rand(z.shape[0])
    noise = torch.randn_like(z)
    sample = PATH.sample(t=t, x_0=noise, x_1=z)
    return (net(sample.x_t, sample.t) - sample.dx_t).square().mean()


class Velocity(ModelWrapper):
    """``model(x, t)`` with the solver's scalar ``t`` expanded to ``[B]``."""

    def forward(self, x: Tensor, t: Tensor, **extras) -> Tensor:
        return self.model(x, t.expand(x.shape[0]))


def sample(net: nn.Module, n: int, dim: int, method: str, steps: int) -> Tensor:
    """``ODESolver.sample`` from ``x_0 ~ N(0, I)`` over ``[0, 1]`` with ``method`` and step ``1/steps``."""
    solver = ODESolver(velocity_model=Velocity(net))
    return solver.sample(x_init=torch.randn(n, dim), step_size=1.0 / steps, method=method)


def log_likelihood(velocity: nn.Module, x: Tensor, log_p0: Callable[[Tensor], Tensor], method: str,
                   steps: int | None, exact: bool, tolerance: float = 1e-5) -> Tensor:
    """``log p_1(x)`` by ``ODESolver.compute_likelihood`` from ``t = 1`` back to 0: fixed steps
    ``1/steps``, or adaptive (``steps=None``) with ``atol = rtol = tolerance``; exact divergence or
    Hutchinson's estimator (one Rademacher probe, its only choice)."""
    solver = ODESolver(velocity_model=Velocity(velocity))
    _, log_p = solver.compute_likelihood(
        x_1=x, log_p0=log_p0, step_size=None if steps is None else 1.0 / steps, method=method,
        atol=tolerance, rtol=tolerance, time_grid=torch.tensor([1.0, 0.0]), exact_divergence=exact)
    return log_p
