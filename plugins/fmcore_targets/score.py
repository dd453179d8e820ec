"""The score target."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import Coefficients
from fmcore_targets.gaussian_target import GaussianTarget


@attrs.frozen
class ScoreTarget(GaussianTarget):
    """Score prediction s ≈ ∇ log p_t(x); regresses the conditional score −ε/σ.

    Decoding: ``ε̂ = −σ s`` and ``x̂₁ = (x + σ² s)/α`` (Tweedie), stable as ``σ → 0``.
    """

    predicts = "score"

    def encode(self, c: Coefficients, data: Tensor, noise: Tensor) -> Tensor:
        return -noise / c.sigma

    def decode(self, c: Coefficients, pred: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
        return (x + c.sigma**2 * pred) / c.alpha, -c.sigma * pred
