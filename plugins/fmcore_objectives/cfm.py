"""Conditional flow matching."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore import Batch, Field


@attrs.frozen
class ConditionalFlowMatching:
    """Conditional flow matching: L = E_{t~U[t_min,t_max], z, ε} ‖net(x_t, t) − target(z, ε, x_t, t)‖².

    The loss is the mean over batch and data dimensions. Its gradient equals that of the (marginal)
    flow-matching loss, because the two differ by a constant (the lecture notes' Theorem 18).
    """

    def loss(self, field: Field, batch: Batch) -> Tensor:
        z = batch.x
        path = field.path
        t = torch.rand(z.shape[0], device=z.device, dtype=z.dtype)
        t = path.t_min + (path.t_max - path.t_min) * t
        noise = path.sample_noise(z)
        x_t = path.sample(z, t, noise)
        target = field.target.regression_target(path, z, noise, x_t, t)
        return (field.network(x_t, t, batch.cond) - target).square().mean()
