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
