"""The noise target (ε-prediction)."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import Coefficients
from fmcore_targets.gaussian_target import GaussianTarget


@attrs.frozen
class NoiseTarget(GaussianTarget):
    """Noise prediction ε̂ ≈ E[ε | x_t = x]; regresses ε. Decoding: ``x̂₁ = (x − σ ε̂)/α``."""

    predicts = "noise"

    def encode(self, c: Coefficients, data: Tensor, noise: Tensor) -> Tensor:
        return noise

    def decode(self, c: Coefficients, pred: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
        return (x - c.sigma * pred) / c.alpha, pred
