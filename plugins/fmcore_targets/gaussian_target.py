"""The shared machinery of targets on Gaussian paths ``x = α x̂₁ + σ ε̂``.

A prediction of any target is a linear function of the pair (data ``x̂₁``, noise ``ε̂``) given ``x``:
each target says how to ``encode`` a pair into its prediction and how to ``decode`` a prediction at
``x`` back into the pair. Every conversion goes through the pair, e.g. ``v = α̇ x̂₁ + σ̇ ε̂`` and
``s = −ε̂/σ``, except a target's own quantity, which is returned as predicted (no round trip).
"""

from __future__ import annotations

import abc
from typing import ClassVar

import attrs

import torch
from attrs.validators import ge
from torch import Tensor

from fmcore import Coefficients, GaussianPath, ProbabilityPath, setting


@attrs.frozen
class GaussianTarget(abc.ABC):
    """Base of the targets; subclasses set ``predicts`` and implement :meth:`encode`, :meth:`decode`."""

    predicts: ClassVar[str]

    time_margin: float = setting(
        1e-3, "sampling stays this far from an end of time where this prediction's velocity is not "
        "finite (an ε-prediction where α = 0, a data prediction where σ = 0)", validator=ge(0.0),
    )

    @abc.abstractmethod
    def encode(self, c: Coefficients, data: Tensor, noise: Tensor) -> Tensor:
        """The prediction that stands for the pair ``(x̂₁, ε̂)``."""

    @abc.abstractmethod
    def decode(self, c: Coefficients, pred: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
        """The pair ``(x̂₁, ε̂)`` a prediction at ``x`` stands for."""

    def unsupported(self, path: ProbabilityPath) -> str | None:
        if isinstance(path, GaussianPath):
            return None
        return f"a {self.predicts} prediction needs a Gaussian path x_t = α_t z + σ_t ε"

    def sampling_range(self, path: ProbabilityPath) -> tuple[float, float]:
        """``[t_min, t_max]`` of the path, less ``time_margin`` at each end where this prediction is
        not finite (the score at σ = 0) or does not convert to a finite velocity (an ε-prediction
        at α = 0): found by encoding and converting a probe there."""
        start, end = path.t_min, path.t_max
        probe = torch.ones(1, 1, dtype=torch.float64)

        def finite(t: float) -> bool:
            at = torch.full((1,), t, dtype=torch.float64)
            assert isinstance(path, GaussianPath)
            encoded = self.encode(path.coefficients(at, probe), probe, probe)
            velocity = self.to_velocity(path, probe, probe, at)
            return bool(torch.isfinite(encoded).all() and torch.isfinite(velocity).all())

        if isinstance(path, GaussianPath):
            start += 0.0 if finite(start) else self.time_margin
            end -= 0.0 if finite(end) else self.time_margin
        return start, end

    def regression_target(
        self, path: ProbabilityPath, z: Tensor, noise: Tensor, x_t: Tensor, t: Tensor,
        *, coefficients: Coefficients | None = None,
    ) -> Tensor:
        c = coefficients if coefficients is not None else _gaussian(path, self).coefficients(t, z)
        return self.encode(c, z, noise)

    def to_velocity(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        if self.predicts == "velocity":
            return pred
        c = _gaussian(path, self).coefficients(t, x)
        data, noise = self.decode(c, pred, x)
        return c.d_alpha * data + c.d_sigma * noise

    def to_score(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        if self.predicts == "score":
            return pred
        c = _gaussian(path, self).coefficients(t, x)
        return -self.decode(c, pred, x)[1] / c.sigma

    def to_data(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        if self.predicts == "data":
            return pred
        return self.decode(_gaussian(path, self).coefficients(t, x), pred, x)[0]

    def to_noise(self, path: ProbabilityPath, pred: Tensor, x: Tensor, t: Tensor) -> Tensor:
        if self.predicts == "noise":
            return pred
        return self.decode(_gaussian(path, self).coefficients(t, x), pred, x)[1]


def _gaussian(path: ProbabilityPath, target: GaussianTarget) -> GaussianPath:
    if not isinstance(path, GaussianPath):
        raise TypeError(f"{target.unsupported(path)}; {type(path).__name__} is not one")
    return path
