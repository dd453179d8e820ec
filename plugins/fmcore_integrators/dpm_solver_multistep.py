"""Multistep DPM-Solver++ (2M, 3M): one field evaluation per step, reusing earlier data predictions.

Step ``i`` goes from ``λ_i`` to ``λ_{i+1}`` (``h = h_i``, earlier steps ``h₁ = h_{i−1}``,
``h₂ = h_{i−2}``) with the data predictions ``m₀ = x̂₁(x_i, t_i)``, ``m₁``, ``m₂`` at ``t_i``,
``t_{i−1}``, ``t_{i−2}``. It integrates exactly (module :mod:`fmcore_integrators.dpm_solver`) the
polynomial in ``u = λ − λ_i`` through them, in Newton form
``m₀ + e₀ u + q u (u + h₁)`` with ``e₀ = (m₀ − m₁)/h₁``, ``e₁ = (m₁ − m₂)/h₂``,
``q = (e₀ − e₁)/(h₁ + h₂)``::

    order 1:  x_{i+1} = (σ_{i+1}/σ_i) x_i + α_{i+1} I_0 m₀
    order 2:  … + α_{i+1} I_1 e₀
    order 3:  … + α_{i+1} I_1 e₀ + α_{i+1} (2 I_2 + h₁ I_1) q

The first steps have fewer predictions and use order ``i + 1``; with ``lower_order_final`` the
last steps use order ``K − i`` (more stable with few steps); a step with ``h = ∞`` (a singular end)
uses order 1. An earlier step with ``h = ∞`` gives its difference weight ``1/∞ = 0``.
"""

from __future__ import annotations

import math
from typing import ClassVar

import attrs
import torch
from torch import Tensor

from fmcore import Solution, VectorField, setting
from fmcore_integrators.dpm_solver import DataPrediction, ExponentialIntegrator, LogSNRSchedule, solution


def combine(x: Tensor, keep: float, weights: list[float], history: list[Tensor]) -> Tensor:
    """``keep · x + Σ_j w_j m_j`` over the data predictions ``m_j`` of ``history`` (newest first), in
    place on one new tensor."""
    out = x.mul(keep)
    for w, m in zip(weights, history):
        out.add_(m, alpha=w)
    return out


def multistep_weights(grid: LogSNRSchedule, i: int, order: int) -> tuple[float, list[float]]:
    """Step ``i`` at ``order`` as ``x_{i+1} = keep · x_i + Σ_j w_j m_j``: ``(keep, [w₀, …])``."""
    keep, a = grid.first_order(i)
    if order == 1:
        return keep, [a]
    h, h1 = grid.h(i), grid.h(i - 1)
    i1 = h + math.expm1(-h)
    b = grid.alpha[i + 1] * i1 / h1
    if order == 2:
        return keep, [a + b, -b]
    h2 = grid.h(i - 2)
    i2 = 0.5 * h * h - i1
    c = grid.alpha[i + 1] * (2 * i2 + h1 * i1) / (h1 + h2)
    return keep, [a + b + c / h1, -b - c / h1 - c / h2, c / h2]


@attrs.frozen
class MultistepDPMSolver(ExponentialIntegrator):
    """Base of the multistep DPM-Solver++ methods; subclasses set ``order``."""

    order: ClassVar[int]
    lower_order_final: bool = setting(True, "use orders K − i in the last steps (stabler with few steps)")

    def step_orders(self, grid: LogSNRSchedule) -> list[int]:
        """Each step's order: limited by the predictions at hand, the end, and ``h = ∞``."""
        steps = grid.steps
        orders = [min(self.order, i + 1, steps - i if self.lower_order_final else self.order)
                  for i in range(steps)]
        return [1 if math.isinf(grid.h(i)) else p for i, p in enumerate(orders)]

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
        plan = [multistep_weights(grid, i, p) for i, p in enumerate(self.step_orders(grid))]
        x = x0
        history: list[Tensor] = []
        states = [x0] if trajectory else None
        for i, (keep, weights) in enumerate(plan):
            history = [data(x, i), *history[: self.order - 1]]
            x = combine(x, keep, weights, history)
            if states is not None:
                states.append(x)
        return solution(x, grid.steps, states, grid)


@attrs.frozen
class DPMSolver2M(MultistepDPMSolver):
    """DPM-Solver++(2M): multistep order 2, one field evaluation per step."""

    label: ClassVar[str] = "dpm-solver-2m"
    order: ClassVar[int] = 2


@attrs.frozen
class DPMSolver3M(MultistepDPMSolver):
    """DPM-Solver++(3M): multistep order 3, one field evaluation per step."""

    label: ClassVar[str] = "dpm-solver-3m"
    order: ClassVar[int] = 3
