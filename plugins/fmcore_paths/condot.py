"""The conditional optimal-transport (linear) path."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore import Coefficients, GaussianPath


@attrs.frozen
class CondOTPath(GaussianPath):
    """Conditional optimal transport: α_t = t, σ_t = 1 − t (x_t = t z + (1 − t) ε)."""

    def schedule(self, t: Tensor) -> Coefficients:
        one = torch.ones_like(t)
        return Coefficients(alpha=t, sigma=one - t, d_alpha=one, d_sigma=-one)  # one − t: no scalar to wrap
