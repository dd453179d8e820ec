"""Distributions of training times on ``[t_min, t_max]``; they draw from torch's global generator."""

from __future__ import annotations

import attrs
import torch
from attrs.validators import gt
from torch import Tensor

from fmcore import setting


def _affine(u: Tensor, t_min: float, t_max: float) -> Tensor:
    """``t_min + (t_max − t_min) u``; ``u`` itself on [0, 1] (two kernels fewer per training step)."""
    return u if (t_min, t_max) == (0.0, 1.0) else t_min + (t_max - t_min) * u


@attrs.frozen
class Uniform:
    """t ~ U[t_min, t_max]."""

    def sample(self, n: int, t_min: float, t_max: float, *, device=None, dtype=None) -> Tensor:
        return _affine(torch.rand(n, device=device, dtype=dtype), t_min, t_max)


@attrs.frozen
class LogitNormal:
    """t = t_min + (t_max − t_min) · sigmoid(m + s n), n ~ N(0, 1) (Esser et al. 2024)."""

    mean: float = setting(0.0, "location m of the normal before the sigmoid")
    std: float = setting(1.0, "scale s of the normal before the sigmoid", validator=gt(0.0))

    def sample(self, n: int, t_min: float, t_max: float, *, device=None, dtype=None) -> Tensor:
        u = torch.sigmoid(self.mean + self.std * torch.randn(n, device=device, dtype=dtype))
        return _affine(u, t_min, t_max)


@attrs.frozen
class Beta:
    """t = t_min + (t_max − t_min) · u, u ~ Beta(a, b)."""

    a: float = setting(1.0, "first shape parameter", validator=gt(0.0))
    b: float = setting(1.0, "second shape parameter", validator=gt(0.0))

    def sample(self, n: int, t_min: float, t_max: float, *, device=None, dtype=None) -> Tensor:
        ones = torch.ones(n, device=device, dtype=dtype or torch.get_default_dtype())
        u = torch.distributions.Beta(self.a * ones, self.b * ones).sample()
        return _affine(u, t_min, t_max)
