"""Adaptive-step ODE integrators, solved by torchdiffeq's ``odeint``.

An embedded Runge–Kutta pair advances ``dX = u_t(X) dt`` with two estimates of different order; a
step is accepted when the error estimate ``e`` satisfies ``‖e / (atol + rtol · max(|x|, |x_new|))‖_RMS
≤ 1`` and the next step size is chosen from that ratio. The methods (``method`` setting):

- ``dopri5``: Dormand–Prince 5(4), 6 field evaluations per step (FSAL), the usual default;
- ``dopri8``: Dormand–Prince 8(7), 13 evaluations per step, for tight tolerances;
- ``bosh3``: Bogacki–Shampine 3(2), 3 evaluations per step;
- ``adaptive_heun``: Heun–Euler 2(1), 2 evaluations per step.

The NFE is counted by wrapping the field (initial step-size selection included). Step acceptance
needs the error norm on the host, so unlike the fixed-step methods each step synchronises once.
The trajectory, on request, is reported at ``trajectory_points + 1`` uniform times over the field's
time range, read off the solver's dense output (interpolation): asking for it does not change the
steps taken nor the end state.
"""

from __future__ import annotations

from typing import Literal

import attrs
import torch
import torchdiffeq
from attrs.validators import gt
from torch import Tensor

from fmcore import Solution, VectorField, setting

Method = Literal["dopri5", "dopri8", "bosh3", "adaptive_heun"]


@attrs.frozen
class AdaptiveSettings:
    """Tolerances and trajectory reporting shared by the adaptive integrators."""

    rtol: float = setting(1e-5, "relative tolerance of the local error", validator=gt(0.0))
    atol: float = setting(1e-5, "absolute tolerance of the local error", validator=gt(0.0))
    trajectory_points: int = setting(
        20, "uniform intervals on which a requested trajectory is reported (dense output)",
        validator=gt(0))

    @property
    def solver_method(self) -> str:
        """The torchdiffeq method name."""
        raise NotImplementedError

    def sample(
        self,
        field: VectorField,
        x0: Tensor,
        *,
        cond: Tensor | None = None,
        generator: torch.Generator | None = None,
        trajectory: bool = False,
    ) -> Solution:
        t_start, t_end = field.time_range
        points = self.trajectory_points if trajectory else 1
        times = torch.linspace(t_start, t_end, points + 1, dtype=torch.float64)
        times = times.to(device=x0.device, dtype=x0.dtype)
        batch = x0.shape[0]
        calls = [0]

        def velocity(t: Tensor, x: Tensor) -> Tensor:
            calls[0] += 1
            return field.velocity(x, t.expand(batch), cond)

        states = torchdiffeq.odeint(velocity, x0, times, rtol=self.rtol, atol=self.atol,
                                    method=self.solver_method)
        if not trajectory:
            return Solution(states[-1], calls[0])
        return Solution(states[-1], calls[0], states, times)


@attrs.frozen
class Adaptive(AdaptiveSettings):
    """Adaptive-step embedded Runge–Kutta (torchdiffeq): dopri5, dopri8, bosh3 or adaptive_heun."""

    method: Method = setting("dopri5", "dopri5, dopri8, bosh3 or adaptive_heun")

    @property
    def solver_method(self) -> str:
        return self.method


@attrs.frozen
class Dopri5(AdaptiveSettings):
    """Dormand–Prince 5(4) with adaptive steps (torchdiffeq): 6 field evaluations per step."""

    @property
    def solver_method(self) -> str:
        return "dopri5"
