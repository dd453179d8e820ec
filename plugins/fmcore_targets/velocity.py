"""The velocity target: the network predicts the marginal vector field ``u_t(x)``."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore import Coefficients, GaussianPath, ProbabilityPath
from fmcore_targets.gaussian_target import GaussianTarget


@attrs.frozen
class VelocityTarget(GaussianTarget):
    """Velocity prediction v ≈ u_t(x); regresses the conditional velocity α̇ z + σ̇ ε.

    Decoding, with ``D = α σ̇ − σ α̇`` (never 0 for a path that moves from noise to data):
    ``x̂₁ = (σ̇ x − σ v)/D`` and ``ε̂ = (α v − α̇ x)/D``, stable at both ends of time. On any other
    path the velocity is still the regression target (``path.velocity``) and needs no conversion.
    """

    predicts = "velocity"

    def unsupported(self, path: ProbabilityPath) -> str | None:
        return None

    def regression_target(
        self, path: ProbabilityPath, z: Tensor, noise: Tensor, x_t: Tensor, t: Tensor,
        *, coefficients: Coefficients | None = None,
    ) -> Tensor:
        if isinstance(path, GaussianPath):
            return super().regression_target(path, z, noise, x_t, t, coefficients=coefficients)
        return path.velocity(x_t, z, t)

    def encode(self, c: Coefficients, data: Tensor, noise: Tensor) -> Tensor:
        return torch.addcmul(c.d_alpha * data, c.d_sigma, noise)

    def decode(self, c: Coefficients, pred: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
        det = c.alpha * c.d_sigma - c.sigma * c.d_alpha
        return (c.d_sigma * x - c.sigma * pred) / det, (c.alpha * pred - c.d_alpha * x) / det
