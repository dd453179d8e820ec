"""What the VP and sub-VP paths share: Song et al.'s linear β(τ), converted to flow-matching time."""

from __future__ import annotations

import attrs
import torch
from attrs.validators import ge, gt, lt
from torch import Tensor

from fmcore import GaussianPath, setting


@attrs.frozen
class LinearBetaPath(GaussianPath):
    """Base of VP and sub-VP: α_t = exp(−½ B(1 − t)), B(τ) = ∫₀^τ β = β_min τ + ½ (β_max − β_min) τ².

    τ = 1 − t is diffusion time and β(τ) = β_min + τ (β_max − β_min); α̇ = ½ β(1 − t) α. Both paths
    run on [0, 1 − eps] and start at α_0 = exp(−(β_min + β_max)/4), only approximately noise.
    """

    beta_min: float = setting(0.1, "β at the data end (τ = 0), ≥ 0", validator=ge(0))
    beta_max: float = setting(20.0, "β at the noise end (τ = 1), ≥ beta_min", validator=gt(0))
    eps: float = setting(1e-3, "the path stops at t_max = 1 − eps (Song's sampling epsilon)",
                         validator=[ge(0), lt(1)])

    def __attrs_post_init__(self) -> None:
        if self.beta_max < self.beta_min:
            raise ValueError(f"beta_max ({self.beta_max}) must be at least beta_min ({self.beta_min})")

    @property
    def t_max(self) -> float:  # type: ignore[override]
        return 1.0 - self.eps

    def alpha_terms(self, t: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``B(τ)`` at ``τ = 1 − t``, ``α_t = exp(−½ B)`` and ``α̇_t = ½ β(τ) α_t``."""
        tau = 1 - t
        slope = self.beta_max - self.beta_min
        big_b = tau * (self.beta_min + 0.5 * slope * tau)
        alpha = torch.exp(-0.5 * big_b)
        return big_b, alpha, 0.5 * (self.beta_min + slope * tau) * alpha
