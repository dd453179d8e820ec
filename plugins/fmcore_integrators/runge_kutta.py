"""Explicit Runge–Kutta methods with a fixed number of steps on a time grid, given by Butcher tableaus.

One step of size ``h`` from ``(x, t)`` with ``s`` stages::

    k_i = u(x + h Σ_{j<i} a_ij k_j, t + c_i h),    x ← x + h Σ_i b_i k_i

The loop does no host synchronisation: step sizes are Python floats and stage times are views into
a grid computed once.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import torch
from attrs.validators import gt
from torch import Tensor

from fmcore import Solution, VectorField, choice, setting, spec_type


@attrs.frozen
class Tableau:
    """Butcher tableau: ``a`` (rows of the strictly lower triangle, stage 2 on), weights ``b``, nodes ``c``."""

    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]
    order: int


EULER = Tableau(a=(), b=(1.0,), c=(0.0,), order=1)
MIDPOINT = Tableau(a=((0.5,),), b=(0.0, 1.0), c=(0.0, 0.5), order=2)
HEUN = Tableau(a=((1.0,),), b=(0.5, 0.5), c=(0.0, 1.0), order=2)
RK4 = Tableau(a=((0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)), b=(1 / 6, 1 / 3, 1 / 3, 1 / 6),
              c=(0.0, 0.5, 0.5, 1.0), order=4)

TimeGridChoice = spec_type("time-grid")


@attrs.frozen
class RungeKutta:
    """Base of the fixed-step explicit Runge–Kutta integrators; subclasses set ``tableau``."""

    tableau: ClassVar[Tableau]
    steps: int = setting(100, "number of steps over the field's time range", validator=gt(0))
    grid: TimeGridChoice = choice("time-grid", "uniform", "where the steps go: uniform, logsnr, edm, …")

    def sample(
        self,
        field: VectorField,
        x0: Tensor,
        *,
        cond: Tensor | None = None,
        generator: torch.Generator | None = None,
        trajectory: bool = False,
    ) -> Solution:
        a, b, c = self.tableau.a, self.tableau.b, self.tableau.c
        grid64 = self.grid.value.times(self.steps, field.path, *field.time_range)
        sizes = (grid64[1:] - grid64[:-1]).tolist()
        stage_times = (grid64[:-1, None] + (grid64[1:] - grid64[:-1])[:, None] * torch.tensor(c))
        stage_times = stage_times.to(device=x0.device, dtype=x0.dtype)
        batch = x0.shape[0]
        # a [batch] view per step and stage: one unbind per step of the expanded [steps, stages, batch] grid
        times = [row.unbind(0) for row in stage_times[:, :, None].expand(-1, -1, batch).unbind(0)]
        x = x0
        states = [x0] if trajectory else None
        for i, h in enumerate(sizes):
            ks: list[Tensor] = []
            for stage in range(len(b)):
                xs = x
                for a_ij, k in zip(a[stage - 1] if stage else (), ks):
                    if a_ij:  # zero entries (midpoint's b₁, RK4's a₃₁) cost no operation
                        xs = xs.add(k, alpha=h * a_ij)
                ks.append(field.velocity(xs, times[i][stage], cond))
            for b_i, k in zip(b, ks):
                if b_i:
                    x = x.add(k, alpha=h * b_i)
            if states is not None:
                states.append(x)
        nfe = len(sizes) * len(b)
        if states is None:
            return Solution(x, nfe)
        return Solution(x, nfe, torch.stack(states), grid64.to(device=x0.device, dtype=x0.dtype))


@attrs.frozen
class Euler(RungeKutta):
    """Euler's method, order 1: x ← x + h u(x, t). One field evaluation per step."""

    tableau: ClassVar[Tableau] = EULER


@attrs.frozen
class Heun(RungeKutta):
    """Heun's method (explicit trapezoid), order 2: two field evaluations per step."""

    tableau: ClassVar[Tableau] = HEUN


@attrs.frozen
class Midpoint(RungeKutta):
    """The explicit midpoint method, order 2: x ← x + h u(x + ½h u(x, t), t + ½h)."""

    tableau: ClassVar[Tableau] = MIDPOINT


@attrs.frozen
class RK4(RungeKutta):
    """The classical Runge–Kutta method, order 4: four field evaluations per step."""

    tableau: ClassVar[Tableau] = RK4
