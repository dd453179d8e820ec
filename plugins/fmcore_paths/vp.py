"""Song et al.'s variance-preserving (VP) path."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore import Coefficients
from fmcore_paths.linear_beta import LinearBetaPath


@attrs.frozen
class VPPath(LinearBetaPath):
    """VP (Song et al.): α_t = exp(−½ B(1 − t)), σ_t = √(1 − α_t²), B(τ) = β_min τ + ½(β_max − β_min)τ².

    α² + σ² = 1; σ² = −expm1(−B) is computed without cancellation; σ̇ = −α α̇/σ. The path runs on
    [0, 1 − eps] (σ ∝ √(1 − t) makes σ̇ and the score singular at t = 1): at t = 1 − eps,
    σ = √(1 − exp(−B(eps))) ≈ 0.0105 (defaults). At t = 0, α_0 = exp(−(β_min + β_max)/4) ≈ 0.0066 and
    σ_0 ≈ 0.99998: only approximately noise; the prior is N(0, I).
    """

    def schedule(self, t: Tensor) -> Coefficients:
        big_b, alpha, d_alpha = self.alpha_terms(t)
        sigma = torch.sqrt(-torch.expm1(-big_b))
        return Coefficients(alpha=alpha, sigma=sigma, d_alpha=d_alpha, d_sigma=-alpha * d_alpha / sigma)
