"""Vector fields with known flows, for checking integrators without a network."""

from __future__ import annotations

import math

import attrs
import torch
from torch import Tensor

from fmcore.protocols import ProbabilityPath


@attrs.define(eq=False)
class _OnPath:
    """A test field integrated over its path's whole time range."""

    path: ProbabilityPath

    @property
    def time_range(self) -> tuple[float, float]:
        return self.path.t_min, self.path.t_max


@attrs.define(eq=False)
class LinearDecayField(_OnPath):
    """``dx/dt = −θ x``, whose flow is ``x(t) = x(t₀) e^{−θ (t − t₀)}``. Only ``velocity`` is defined."""

    rate: float = 2.0

    def velocity(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        return -self.rate * x

    def exact(self, x0: Tensor) -> Tensor:
        """The solution at ``path.t_max`` from ``x0`` at ``path.t_min``."""
        return x0 * math.exp(-self.rate * (self.path.t_max - self.path.t_min))


@attrs.define(eq=False)
class GaussianDataField(_OnPath):
    """The exact field of data ``N(mean, std² I)`` on a Gaussian path: ``p_t = N(α m, V I)``,
    ``V = α² std² + σ²``; ``x̂₁ = m + α std² (x − α m)/V``, ``ε̂ = σ (x − α m)/V``,
    ``s = −(x − α m)/V``, ``u = α̇ x̂₁ + σ̇ ε̂``. Checks samplers by the law of what they return."""

    mean: float = 1.0
    std: float = 0.5

    def _parts(self, x: Tensor, t: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        c = self.path.coefficients(t, x)  # type: ignore[attr-defined]
        offset = (x - c.alpha * self.mean) / (c.alpha**2 * self.std**2 + c.sigma**2)
        data = self.mean + c.alpha * self.std**2 * offset
        return data, c.sigma * offset, c.d_alpha * data + c.d_sigma * c.sigma * offset

    def velocity(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        return self._parts(x, t)[2]

    def score(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        c = self.path.coefficients(t, x)  # type: ignore[attr-defined]
        return -(x - c.alpha * self.mean) / (c.alpha**2 * self.std**2 + c.sigma**2)

    def data(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        return self._parts(x, t)[0]

    def noise(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        return self._parts(x, t)[1]

    def exact(self, x0: Tensor) -> Tensor:
        """The probability-flow ODE's solution at ``t_max`` from ``x0`` at ``t_min``. ``p_t`` stays
        ``N(α m, V I)``, so the flow is affine: ``x_t = α_t m + √(V_t/V_0) (x_0 − α_0 m)``."""
        times = torch.tensor([self.path.t_min, self.path.t_max], dtype=torch.float64)
        ends = self.path.schedule(times)  # type: ignore[attr-defined]
        alpha, variance = ends.alpha.tolist(), (ends.alpha**2 * self.std**2 + ends.sigma**2).tolist()
        scale = math.sqrt(variance[1] / variance[0])
        return alpha[1] * self.mean + scale * (x0 - alpha[0] * self.mean)


@attrs.define(eq=False)
class LogisticField(_OnPath):
    """A nonlinear, time-dependent test ODE ``dx/dt = (1 + t) x (1 − x)`` (elementwise), with flow
    ``x(t) = 1 / (1 + (1/x₀ − 1) e^{−(T(t) − T(t₀))})``, ``T(t) = t + t²/2``."""

    def velocity(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        return (1 + t).reshape(-1, *([1] * (x.ndim - 1))) * x * (1 - x)

    def exact(self, x0: Tensor) -> Tensor:
        t0, t1 = self.path.t_min, self.path.t_max
        growth = (t1 + t1**2 / 2) - (t0 + t0**2 / 2)
        return 1 / (1 + (1 / x0 - 1) * math.exp(-growth))


def convergence_order(errors: list[float], steps: list[int]) -> float:
    """Least-squares slope of ``−log(error)`` against ``log(steps)``: the observed order."""
    x = torch.tensor(steps, dtype=torch.float64).log()
    y = -torch.tensor(errors, dtype=torch.float64).log()
    x = x - x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())
