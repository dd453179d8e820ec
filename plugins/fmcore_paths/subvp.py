"""Song et al.'s sub-VP path."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore import Coefficients
from fmcore_paths.linear_beta import LinearBetaPath


@attrs.frozen
class SubVPPath(LinearBetaPath):
    """Sub-VP (Song et al.): α_t = exp(−½ B(1 − t)), σ_t = 1 − α_t², B(τ) = β_min τ + ½(β_max − β_min)τ².

    σ = −expm1(−B) without cancellation; σ̇ = −2 α α̇. σ² ≤ 1 − α² (hence "sub"). Same range as VP,
    [0, 1 − eps]: at t = 1 − eps, σ ≈ B(eps) ≈ 1.1e-4 (defaults); at t = 0, α_0 ≈ 0.0066 and
    σ_0 ≈ 0.99996: only approximately noise; the prior is N(0, I).
    """

    def schedule(self, t: Tensor) -> Coefficients:
        big_b, alpha, d_alpha = self.alpha_terms(t)
        sigma = -torch.expm1(-big_b)
        return Coefficients(alpha=alpha, sigma=sigma, d_alpha=d_alpha, d_sigma=-2 * alpha * d_alpha)
