"""Exponential integrators in log-SNR time on the data prediction (DPM-Solver++, Lu et al.
2022).

On a Gaussian path ``x_t = α_t z + σ_t ε`` with ``λ_t = log(α_t/σ_t)`` (increasing from noise to
data) and the data prediction ``x̂₁(x, t)``, the probability-flow ODE ``dX = u_t(X) dt`` is solved
exactly from ``s`` to ``t`` by the variation of constants::

    x_t = (σ_t/σ_s) x_s + σ_t ∫_{λ_s}^{λ_t} e^λ x̂₁ dλ
        = (σ_t/σ_s) x_s + α_t ∫_0^h e^{u−h} x̂₁(λ_s + u) du,        h = λ_t − λ_s.

The linear part is integrated exactly; the methods differ in how they approximate ``x̂₁`` in ``λ``.
With ``x̂₁`` a polynomial in ``u`` the integral needs only

    I_0 = ∫_0^h e^{u−h} du = 1 − e^{−h},   I_1 = ∫_0^h e^{u−h} u du = h − I_0,
    I_2 = ∫_0^h e^{u−h} u²/2 du = h²/2 − I_1.

``x̂₁`` is read off the field's velocity, ``x̂₁ = (σ̇ x − σ u)/(α σ̇ − σ α̇)`` (DESIGN.md §1), so every
:class:`fmcore.VectorField` drives these solvers. The coefficients are computed once in float64 on
the grid; the loop only adds tensors with Python-float weights: no host synchronisation.

The ends: where ``α_s = 0`` (the first point on CondOT) ``λ_s = −∞``; where ``σ_t = 0`` (the last)
``λ_t = +∞``. A step with ``h = ∞`` is taken at first order, which stays finite there:
``e^{−h} = σ_t α_s/(σ_s α_t) = 0``, so ``x_t = (σ_t/σ_s) x_s + α_t x̂₁(x_s, s)``.
"""

from __future__ import annotations

import math
from typing import ClassVar

import attrs
import torch
from attrs.validators import gt
from torch import Tensor

from fmcore import GaussianPath, Solution, VectorField, choice, setting
from fmcore_integrators.grids import _invert_logsnr
from fmcore_integrators.runge_kutta import TimeGridChoice


@attrs.frozen
class LogSNRSchedule:
    """A time grid ``t_0 < … < t_K`` (float64) with ``α, σ, λ`` there and the weights that turn a
    velocity into a data prediction at each grid time."""

    path: GaussianPath
    times: Tensor
    alpha: list[float]
    sigma: list[float]
    lam: list[float]

    @classmethod
    def on(cls, integrator: str, field: VectorField, steps: int, grid: object) -> LogSNRSchedule:
        """The integrator's grid on ``field``; refuses a path that is not Gaussian."""
        path = field.path
        if not isinstance(path, GaussianPath):
            raise ValueError(f"integrator '{integrator}' solves in log-SNR time and needs a Gaussian "
                             f"path x_t = α_t z + σ_t ε, not {type(path).__name__}")
        times = grid.times(steps, path, *field.time_range)  # type: ignore[attr-defined]
        c = path.schedule(times)
        lam = torch.log(c.alpha) - torch.log(c.sigma)
        return cls(path, times, c.alpha.tolist(), c.sigma.tolist(), lam.tolist())

    @property
    def steps(self) -> int:
        return len(self.lam) - 1

    def h(self, i: int) -> float:
        """``h_i = λ_{i+1} − λ_i`` (``+∞`` at a singular end)."""
        return self.lam[i + 1] - self.lam[i]

    def first_order(self, i: int) -> tuple[float, float]:
        """``(σ_{i+1}/σ_i, α_{i+1} I_0(h_i))``: the weights of ``x_i`` and ``x̂₁(x_i, t_i)``."""
        return self.sigma[i + 1] / self.sigma[i], self.alpha[i + 1] * -math.expm1(-self.h(i))

    def midpoints(self) -> Tensor:
        """The times where ``λ = λ_i + h_i/2`` for every step (float64, ``[K]``), ``t_i`` where
        ``h_i = ∞``."""
        lam = torch.tensor(self.lam, dtype=torch.float64)
        middle = 0.5 * (lam[:-1] + lam[1:])
        finite = torch.isfinite(middle)
        mid = _invert_logsnr(self.path, torch.where(finite, middle, 0.0), float(self.times[0]),
                             float(self.times[-1]))
        return torch.where(finite, mid, self.times[:-1])


@attrs.frozen
class DataPrediction:
    """``x̂₁(x, t_k) = a_k x + b_k u_{t_k}(x)`` with ``a = σ̇/D``, ``b = −σ/D``, ``D = α σ̇ − σ α̇``,
    at evaluation times ``t_k`` fixed in advance."""

    field: VectorField
    cond: Tensor | None
    times: Tensor
    a: list[float]
    b: list[float]

    @classmethod
    def at(cls, field: VectorField, path: GaussianPath, times: Tensor, x0: Tensor,
           cond: Tensor | None) -> DataPrediction:
        c = path.schedule(times)
        d = c.alpha * c.d_sigma - c.sigma * c.d_alpha
        batch_times = times.to(device=x0.device, dtype=x0.dtype)[:, None].expand(-1, x0.shape[0])
        return cls(field, cond, batch_times, (c.d_sigma / d).tolist(), (-c.sigma / d).tolist())

    def __call__(self, x: Tensor, k: int) -> Tensor:
        velocity = self.field.velocity(x, self.times[k], self.cond)
        return velocity.mul(self.b[k]).add_(x, alpha=self.a[k])


@attrs.frozen
class ExponentialIntegrator:
    """Base of the DPM-Solver++ family: ``steps`` on a time grid, log-SNR spaced by default."""

    label: ClassVar[str]
    steps: int = setting(50, "number of steps over the field's time range", validator=gt(0))
    grid: TimeGridChoice = choice("time-grid", "logsnr", "where the steps go: logsnr, uniform, edm, …")

    def grid_on(self, field: VectorField) -> LogSNRSchedule:
        return LogSNRSchedule.on(self.label, field, self.steps, self.grid.value)


def solution(x: Tensor, nfe: int, states: list[Tensor] | None, grid: LogSNRSchedule) -> Solution:
    """The end state, the NFE and, when ``states`` were kept, the trajectory on the grid."""
    if states is None:
        return Solution(x, nfe)
    return Solution(x, nfe, torch.stack(states), grid.times.to(device=x.device, dtype=x.dtype))


@attrs.frozen
class DPMSolver1(ExponentialIntegrator):
    """DPM-Solver++ of order 1 (DDIM): ``x_t = (σ_t/σ_s) x_s + α_t (1 − e^{−h}) x̂₁(x_s, s)``; one
    field evaluation per step."""

    label: ClassVar[str] = "dpm-solver-1"

    def sample(
        self,
        field: VectorField,
        x0: Tensor,
        *,
        cond: Tensor | None = None,
        generator: torch.Generator | None = None,
        trajectory: bool = False,
    ) -> Solution:
        grid = self.grid_on(field)
        data = DataPrediction.at(field, grid.path, grid.times[:-1], x0, cond)
        weights = [grid.first_order(i) for i in range(grid.steps)]
        x = x0
        states = [x0] if trajectory else None
        for i, (keep, gain) in enumerate(weights):
            x = x.mul(keep).add_(data(x, i), alpha=gain)
            if states is not None:
                states.append(x)
        return solution(x, grid.steps, states, grid)


@attrs.frozen
class DPMSolver2S(ExponentialIntegrator):
    """DPM-Solver++(2S), single-step order 2 with the midpoint ``λ_m = λ_s + h/2`` (``r = ½``)::

        x_m = (σ_m/σ_s) x_s + α_m (1 − e^{−h/2}) x̂₁(x_s, s)
        x_t = (σ_t/σ_s) x_s + α_t (1 − e^{−h}) x̂₁(x_m, m)

    Two field evaluations per step; a step with ``h = ∞`` (a singular end) is taken at order 1."""

    label: ClassVar[str] = "dpm-solver-2s"

    def sample(
        self,
        field: VectorField,
        x0: Tensor,
        *,
        cond: Tensor | None = None,
        generator: torch.Generator | None = None,
        trajectory: bool = False,
    ) -> Solution:
        grid = self.grid_on(field)
        mids = grid.midpoints()
        data = DataPrediction.at(field, grid.path, torch.stack([grid.times[:-1], mids], 1).flatten(),
                                 x0, cond)
        halves = _half_steps(grid, mids)
        weights = [grid.first_order(i) for i in range(grid.steps)]
        x = x0
        states = [x0] if trajectory else None
        for i, ((keep, gain), half) in enumerate(zip(weights, halves)):
            prediction = data(x, 2 * i)
            if half is not None:
                prediction = data(x.mul(half[0]).add_(prediction, alpha=half[1]), 2 * i + 1)
            x = x.mul(keep).add_(prediction, alpha=gain)
            if states is not None:
                states.append(x)
        nfe = grid.steps + sum(half is not None for half in halves)
        return solution(x, nfe, states, grid)


def _half_steps(grid: LogSNRSchedule, mids: Tensor) -> list[tuple[float, float] | None]:
    """Per step, ``(σ_m/σ_s, α_m (1 − e^{−h/2}))`` to its midpoint ``m``; ``None`` where ``h = ∞``."""
    c = grid.path.schedule(mids)
    halves: list[tuple[float, float] | None] = []
    for i, (alpha_m, sigma_m) in enumerate(zip(c.alpha.tolist(), c.sigma.tolist())):
        h = grid.h(i)
        halves.append(None if math.isinf(h) else (sigma_m / grid.sigma[i], alpha_m * -math.expm1(-h / 2)))
    return halves
