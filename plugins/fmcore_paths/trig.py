"""The trigonometric path α_t = sin(πt/2), σ_t = cos(πt/2)."""

from __future__ import annotations

import math

import attrs
import torch
from torch import Tensor

from fmcore import Coefficients, GaussianPath


@attrs.frozen
class TrigPath(GaussianPath):
    """Trigonometric: α_t = sin(πt/2), σ_t = cos(πt/2) (α² + σ² = 1).

    σ is computed as sin(π(1 − t)/2) so that both ends are exact (σ_1 = 0, not cos(π/2) ≈ 6e-17);
    α̇ = (π/2) σ, σ̇ = −(π/2) α.
    """

    def schedule(self, t: Tensor) -> Coefficients:
        alpha = torch.sin(math.pi / 2 * t)
        sigma = torch.sin(math.pi / 2 * (1 - t))
        return Coefficients(alpha=alpha, sigma=sigma, d_alpha=math.pi / 2 * sigma,
                            d_sigma=-math.pi / 2 * alpha)
