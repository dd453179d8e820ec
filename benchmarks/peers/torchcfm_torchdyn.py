"""``torchcfm``: its ``ConditionalFlowMatcher`` training step, sampled with torchdyn's ``NeuralODE``.

``ConditionalFlowMatcher(sigma=0)`` gives ``x_t = t x_1 + (1 − t) x_0`` and ``u_t = x_1 − x_0`` (its
``x_0`` is the noise, ``x_1`` the data); the times are drawn before the noise and passed in (see
:mod:`benchmarks.peers.hand`). Sampling is ``NeuralODE(..., solver=method).trajectory`` over
``t_span = linspace(0, 1, steps + 1)`` under ``torch.no_grad()``, as torchcfm's examples do.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torchcfm.conditional_flow_matching import ConditionalFlowMatcher
from torchdyn.core import NeuralODE

MATCHER = ConditionalFlowMatcher(sigma=0.0)


def loss(net: nn.Module, z: Tensor) -> Tensor:
    t = torch.rand(z.shape[0])
    noise = torch.randn_like(z)
    t, x_t, u_t = MATCHER.sample_location_and_conditional_flow(noise, z, t=t)
    return (net(x_t, t) - u_t).square().mean()


class Dynamics(nn.Module):
    """torchdyn's ``f(t, x)`` for an fmcore-style ``net(x, t[B])``."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, t: Tensor, x: Tensor, *args, **kwargs) -> Tensor:
        return self.net(x, t.expand(x.shape[0]))


def sample(net: nn.Module, n: int, dim: int, method: str, steps: int) -> Tensor:
    node = NeuralODE(Dynamics(net), solver=method)
    with torch.no_grad():
        return node.trajectory(torch.randn(n, dim), t_span=torch.linspace(0.0, 1.0, steps + 1))[-1]
