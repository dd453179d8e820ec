"""The data target (x₁-prediction, the denoiser)."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import Coefficients
from fmcore_targets.gaussian_target import GaussianTarget


@attrs.frozen
class DataTarget(GaussianTarget):
    """Data prediction x̂₁ ≈ E[z | x_t = x] (a denoiser); regresses z. Decoding: ``ε̂ = (x − α x̂₁)/σ``."""

    predicts = "data"

    def encode(self, c: Coefficients, data: Tensor, noise: Tensor) -> Tensor:
        return data

    def decode(self, c: Coefficients, pred: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
        return pred, (x - c.alpha * pred) / c.sigma
