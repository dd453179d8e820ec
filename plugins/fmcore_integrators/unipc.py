"""Multistep DPM-Solver++ with a corrector (the UniC idea of Zhao et al. 2023, UniPC): one order
more at the same NFE.

In log-SNR time the step ``i → i+1`` (``h = λ_{i+1} − λ_i``, module
:mod:`fmcore_integrators.dpm_solver`) is exactly

    x_{i+1} = (σ_{i+1}/σ_i) x_i + α_{i+1} ∫_0^h e^{u−h} x̂₁(λ_i + u) du.

Replacing ``x̂₁`` by the polynomial through data predictions at nodes ``u_j`` gives
``Σ_j w_j m_j`` with the weights of exact integration, ``Σ_j w_j u_j^k = μ_k(h) =
∫_0^h e^{u−h} u^k du`` for ``k < #nodes`` (a Vandermonde system; ``μ_0 = 1 − e^{−h}``,
``μ_k = h^k − k μ_{k−1}``, or its series ``e^{−h} Σ_n h^{k+n+1}/(n! (k+n+1))`` for ``h ≤ 1``).

- **Predictor** (order ``p``): the nodes of the last ``p`` evaluations, ``u_j = λ_{i−j} − λ_i``:
  the multistep DPM-Solver++ step (``p = 2``: 2M; the weights differ from
  :mod:`fmcore_integrators.dpm_solver_multistep` only in rounding).
- **Corrector** (order ``p + 1``): the predicted ``x̃_{i+1}`` is evaluated,
  ``m_{i+1} = x̂₁(x̃_{i+1}, t_{i+1})``, and the step is taken again with the nodes ``{h} ∪ {u_j}``.
  That evaluation is the one the next step needs anyway: the corrector costs no NFE, and
  ``m_{i+1}`` stays the one at ``x̃_{i+1}`` (UniPC's Theorem 3.1: the order is still ``p + 1``).

The last step has no corrector (it would need one more evaluation). Orders drop as in 2M/3M at
the first and (``lower_order_final``) last steps, and to what the finite history allows: a node at
``λ = −∞`` (``α = 0``) cannot be interpolated through, and a step with ``h = ∞`` is first order.
The weights of UniPC's paper (a ``B(h)`` family) agree with these to the method's order, not
exactly. Weights are computed once in float64; the loop adds tensors with Python-float weights.
"""

from __future__ import annotations

import math
from typing import ClassVar

import attrs
import torch
from torch import Tensor

from fmcore import Solution, VectorField
from fmcore_integrators.dpm_solver import DataPrediction, LogSNRSchedule, solution
from fmcore_integrators.dpm_solver_multistep import MultistepDPMSolver, combine


def exponential_moments(h: float, count: int) -> list[float]:
    """``μ_k = ∫_0^h e^{u−h} u^k du`` for ``k < count`` (a series for ``h ≤ 1``, where the
    recursion would cancel)."""
    if h > 1.0:
        moments = [-math.expm1(-h)]
        for k in range(1, count):
            moments.append(h**k - k * moments[-1])
        return moments
    decay = math.exp(-h)
    return [decay * sum(h ** (k + n + 1) / (math.factorial(n) * (k + n + 1)) for n in range(30))
            for k in range(count)]


def exponential_weights(nodes: list[float], h: float) -> list[float]:
    """Weights ``w`` with ``∫_0^h e^{u−h} P(u) du = Σ_j w_j P(u_j)`` for every polynomial ``P`` of
    degree below ``len(nodes)`` (the nodes are distinct and finite)."""
    vandermonde = torch.tensor([[u**k for u in nodes] for k in range(len(nodes))], dtype=torch.float64)
    moments = torch.tensor(exponential_moments(h, len(nodes)), dtype=torch.float64)
    return torch.linalg.solve(vandermonde, moments).tolist()


@attrs.frozen
class Step:
    """``x̃ = keep · x + Σ_j predictor_j m_{i−j}``; with a corrector,
    ``x = keep · x + corrector_0 m_{i+1} + Σ_j corrector_{j+1} m_{i−j}``."""

    keep: float
    predictor: list[float]
    corrector: list[float] | None


def plan(grid: LogSNRSchedule, orders: list[int]) -> list[Step]:
    """The weights of every step, predictor order ``orders[i]`` (lowered to the finite history)."""
    steps = []
    for i, order in enumerate(orders):
        h = grid.h(i)
        keep, first = grid.first_order(i)
        finite = next((j for j in range(i + 1) if math.isinf(grid.lam[i - j])), i + 1)
        nodes = [grid.lam[i - j] - grid.lam[i] for j in range(min(order, finite))]
        alpha = grid.alpha[i + 1]
        if math.isinf(h) or len(nodes) == 0:
            steps.append(Step(keep, [first], None))
            continue
        predictor = [alpha * w for w in exponential_weights(nodes, h)] if len(nodes) > 1 else [first]
        last = i == grid.steps - 1
        corrector = None if last else [alpha * w for w in exponential_weights([h, *nodes], h)]
        steps.append(Step(keep, predictor, corrector))
    return steps


@attrs.frozen
class UniPC(MultistepDPMSolver):
    """Base of the predictor–corrector solvers; subclasses set the predictor's ``order``."""

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
        x = x0
        history = [data(x0, 0)]
        states = [x0] if trajectory else None
        for i, step in enumerate(plan(grid, self.step_orders(grid))):
            predicted = combine(x, step.keep, step.predictor, history)
            if step.corrector is not None:
                history = [data(predicted, i + 1), *history[: self.order]]
                x = combine(x, step.keep, step.corrector, history)
            else:
                x = predicted
                if i + 1 < grid.steps:
                    history = [data(x, i + 1), *history[: self.order - 1]]
            if states is not None:
                states.append(x)
        return solution(x, grid.steps, states, grid)


@attrs.frozen
class UniPC1(UniPC):
    """DDIM predictor with a corrector: order 2, one field evaluation per step."""

    label: ClassVar[str] = "unipc-1"
    order: ClassVar[int] = 1


@attrs.frozen
class UniPC2(UniPC):
    """2M predictor with a corrector: order 3, one field evaluation per step."""

    label: ClassVar[str] = "unipc-2"
    order: ClassVar[int] = 2


@attrs.frozen
class UniPC3(UniPC):
    """3M predictor with a corrector: order 4, one field evaluation per step."""

    label: ClassVar[str] = "unipc-3"
    order: ClassVar[int] = 3
