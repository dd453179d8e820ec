"""Hand-written PyTorch: conditional flow matching on the CondOT path, and fixed-step samplers.

Training: ``x_t = t z + (1 − t) ε``, regression target ``z − ε``, loss ``mean ‖net(x_t, t) − (z − ε)‖²``
with ``t ~ U[0, 1]`` drawn before ``ε ~ N(0, I)`` (fmcore's ``cfm`` draws in the same order, so at one
seed every implementation computes the same loss). Sampling: Euler ``x ← x + h v(x, t)`` and the
explicit midpoint ``x ← x + h v(x + ½h v(x, t), t + ½h)`` from ``x ~ N(0, I)`` at ``t = 0`` to 1.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

Loss = Callable[[nn.Module, Tensor], Tensor]


def loss(net: nn.Module, z: Tensor) -> Tensor:
    t = torch.rand(z.shape[0])
    noise = torch.randn_like(z)
    x_t = t[:, None] * z + (1 - t[:, None]) * noise
    return (net(x_t, t) - (z - noise)).square().mean()


def train(objective: Loss, net: nn.Module, data: Tensor, batch: int, steps: int) -> None:
    """``steps`` AdamW steps (lr 1e-3, no weight decay: fmcore's default) on ``objective`` over batches
    drawn uniformly from ``data``: the loop a user writes around any of the peers' losses."""
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.0)
    for _ in range(steps):
        value = objective(net, data[torch.randint(len(data), (batch,))])
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()


@torch.inference_mode()
def sample(net: nn.Module, n: int, dim: int, method: str, steps: int) -> Tensor:
    """``n`` samples by ``steps`` steps of ``method`` (``euler`` or ``midpoint``)."""
    x, h = torch.randn(n, dim), 1.0 / steps
    for i in range(steps):
        t = torch.full((n,), i * h)
        if method == "euler":
            x = x + h * net(x, t)
        else:
            x = x + h * net(x + 0.5 * h * net(x, t), t + 0.5 * h)
    return x


@torch.inference_mode()
def forwards(net: nn.Module, x: Tensor, calls: int) -> None:
    """The floor of any sampler: ``calls`` forward passes at a fixed batch ``x``."""
    t = torch.rand(x.shape[0])
    for _ in range(calls):
        net(x, t)
