"""Nichol & Dhariwal's cosine schedule, in flow-matching time."""

from __future__ import annotations

import math

import attrs
import torch
from attrs.validators import ge, gt, lt
from torch import Tensor

from fmcore import Coefficients, GaussianPath, setting


@attrs.frozen
class CosinePath(GaussianPath):
    """Cosine (Nichol & Dhariwal): α_t² = f(1 − t)/f(0) = 1 − σ_t², f(τ) = cos²(π/2 · (τ + s)/(1 + s)).

    That is α_t² = ᾱ(τ) at diffusion time τ = 1 − t. With c = π / (2(1 + s)) the same values are,
    in closed form, α_t = sin(ct)/sin(c) and σ_t = √(sin(c(1 + t)) sin(c(1 − t)))/sin(c) (as
    sin²a − sin²b = sin(a + b) sin(a − b)), so α̇ = c cos(ct)/sin(c) and σ̇ = −α α̇/σ.

    The ends, without clipping: this form has no cancellation, keeps α ∈ [0, 1] and σ ≥ 0 and is
    exact at both ends. At t = 0, ᾱ = 0: α_0 = 0, σ_0 = 1 (the discrete schedule clips β_T ≤ 0.999
    because β_T = 1 there; a continuous path forms no β). At t = 1, α_1 = 1 and σ_1 = 0, but the
    offset s makes σ_t ~ √(c sin(2c)(1 − t))/sin(c) as t → 1, so σ̇ → −∞ and the velocity
    α̇ z + σ̇ ε is singular there, as for VP. Like VP, the path therefore runs on [0, 1 − eps], where
    σ ≈ 0.0064 for the defaults: the last step of the discrete schedule with T = 1000 steps
    (eps = 0 gives the exact range [0, 1]; s = 0 would be path 'trig').
    """

    s: float = setting(0.008, "offset s > 0 (small noise already at the data end)", validator=gt(0))
    eps: float = setting(1e-3, "the path stops at t_max = 1 − eps, short of the singular σ̇ at t = 1",
                         validator=[ge(0), lt(1)])

    @property
    def t_max(self) -> float:  # type: ignore[override]
        return 1.0 - self.eps

    def schedule(self, t: Tensor) -> Coefficients:
        c = math.pi / (2 * (1 + self.s))
        norm = math.sin(c)
        alpha = torch.sin(c * t) / norm
        sigma = torch.sqrt(torch.sin(c * (1 + t)) * torch.sin(c * (1 - t))) / norm
        d_alpha = c * torch.cos(c * t) / norm
        return Coefficients(alpha=alpha, sigma=sigma, d_alpha=d_alpha, d_sigma=-alpha * d_alpha / sigma)
