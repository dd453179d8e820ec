"""The v-prediction target of diffusion practice, in fmcore's time."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import Coefficients
from fmcore_targets.gaussian_target import GaussianTarget


@attrs.frozen
class VPredictionTarget(GaussianTarget):
    """v-prediction v = σ_t z − α_t ε (Salimans & Ho's v with time reversed: their v is −v).

    With ``φ = atan(α/σ)``, ``v = (α² + σ²) dx_t/dφ``; on the trig path (α = sin(πt/2)) it is the
    velocity divided by π/2. Decoding is stable at every t:
    ``x̂₁ = (σ v + α x)/(α² + σ²)``, ``ε̂ = (σ x − α v)/(α² + σ²)``.
    """

    predicts = "v"

    def encode(self, c: Coefficients, data: Tensor, noise: Tensor) -> Tensor:
        return c.sigma * data - c.alpha * noise

    def decode(self, c: Coefficients, pred: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
        norm = c.alpha**2 + c.sigma**2
        return (c.sigma * pred + c.alpha * x) / norm, (c.sigma * x - c.alpha * pred) / norm
