"""The velocity target: the network predicts the marginal vector field ``u_t(x)``."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import GaussianPath, ProbabilityPath


@attrs.frozen
class VelocityTarget:
    """Velocity prediction v ≈ u_t(x); regresses the conditional velocity α̇ z + σ̇ ε.

    On a Gaussian path, with ``D = α σ̇ − σ α̇`` (never 0 for a path that moves from noise to data):
    ``ε̂ = (α v − α̇ x)/D``, ``x̂₁ = (σ̇ x − σ v)/D``, ``s = −ε̂/σ`` — stable at ``t = 0`` where
    ``α = 0`` (the form ``v = (α̇/α) x + σ² λ̇ s`` is not).
    """

    def unsupported(self, path: ProbabilityPath) -> str | None:
        return None

    def regression_target(
        self, path: ProbabilityPath, z: Tensor, noise: Tensor, x_t: Tensor, t: Tensor
    ) -> Tensor:
        if isinstance(path, GaussianPath):
            c = path.coefficients(t, z)
            return c.d_alpha * z + c.d_sigma * noise
        return path.velocity(x_t, z, t)

    def to_velocity(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        return pred

    def to_data(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        c = _gaussian(path, "data").coefficients(t, x)
        return (c.d_sigma * x - c.sigma * pred) / (c.alpha * c.d_sigma - c.sigma * c.d_alpha)

    def to_noise(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        c = _gaussian(path, "noise").coefficients(t, x)
        return (c.alpha * pred - c.d_alpha * x) / (c.alpha * c.d_sigma - c.sigma * c.d_alpha)

    def to_score(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        c = _gaussian(path, "score").coefficients(t, x)
        return -self.to_noise(path, pred, x, t) / c.sigma


def _gaussian(path: ProbabilityPath, what: str) -> GaussianPath:
    if not isinstance(path, GaussianPath):
        raise TypeError(
            f"a velocity converts to a {what} prediction only on a Gaussian path, "
            f"not on {type(path).__name__}"
        )
    return path
