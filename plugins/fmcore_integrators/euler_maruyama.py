"""Euler–Maruyama on the sampling SDE ``dX = [u_t(X) + ½ g_t² ∇log p_t(X)] dt + g_t dW``.

One step of size ``h`` from ``(x, t)``, ``ξ ~ N(0, I)`` drawn from the ``generator`` argument::

    x ← x + [v(x, t) + ½ g_t² s(x, t)] h + g_t √h ξ

with ``v`` and ``s`` from one velocity evaluation (:class:`~fmcore_integrators.sde_plan.SDEPlan`).
``denoise_final`` replaces the last step, from ``t_{K−1}`` to ``t_K``, by the data prediction
``x_K = x̂₁(x_{K−1}, t_{K−1}) = E[z | x_{t_{K−1}} = x_{K−1}]`` (Tweedie's formula ``(x + σ² s)/α`` for
a score model): noise-free, one field evaluation like the step it replaces. Without it the last step
is an ordinary, noisy Euler–Maruyama step.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import torch
from attrs.validators import gt
from torch import Tensor

from fmcore import Solution, VectorField, choice, setting, spec_type
from fmcore_integrators.runge_kutta import TimeGridChoice
from fmcore_integrators.sde_plan import SDEPlan

DiffusionChoice = spec_type("diffusion")
#: ``corrector(i, x) -> x``: moves at ``t_i`` made before the step from ``t_i``.
Corrector = Callable[[int, Tensor], Tensor]


@attrs.frozen
class EulerMaruyama:
    """Euler–Maruyama, weak order 1, on the SDE with diffusion g (default: Song et al.'s reverse
    SDE). One field evaluation per step; seeded by the ``generator`` argument."""

    steps: int = setting(100, "number of steps over the field's time range", validator=gt(0))
    grid: TimeGridChoice = choice("time-grid", "uniform", "where the steps go: uniform, logsnr, edm, …")
    diffusion: DiffusionChoice = choice("diffusion", "reverse", "g_t: reverse, sigma, constant, zero")
    denoise_final: bool = setting(True, "the last step returns the data prediction x̂₁ at t_{K−1}")

    def plan(self, field: VectorField, name: str) -> SDEPlan:
        return SDEPlan.on(name, field, self.steps, self.grid.value, self.diffusion.value)

    def sample(
        self,
        field: VectorField,
        x0: Tensor,
        *,
        cond: Tensor | None = None,
        generator: torch.Generator | None = None,
        trajectory: bool = False,
    ) -> Solution:
        plan = self.plan(field, "euler-maruyama")
        return integrate(plan, field, x0, cond, generator, trajectory, self.denoise_final)


def integrate(plan: SDEPlan, field: VectorField, x0: Tensor, cond: Tensor | None,
              generator: torch.Generator | None, trajectory: bool, denoise_final: bool,
              corrector: Corrector | None = None, corrector_nfe: int = 0) -> Solution:
    """Step through ``plan``: at each ``t_i`` first ``corrector`` (``corrector_nfe`` evaluations),
    then one evaluation for the Euler–Maruyama step, or for the data prediction on the last step
    when ``denoise_final``."""
    times = plan.time_views(x0)
    last = plan.steps - 1
    x = x0
    states = [x0] if trajectory else None
    for i in range(plan.steps):
        if corrector is not None:
            x = corrector(i, x)
        v = field.velocity(x, times[i], cond)
        x = plan.data(i, x, v) if denoise_final and i == last else plan.euler_maruyama(i, x, v, generator)
        if states is not None:
            states.append(x)
    nfe = plan.steps * (1 + corrector_nfe)
    if states is None:
        return Solution(x, nfe)
    return Solution(x, nfe, torch.stack(states), plan.times.to(device=x0.device, dtype=x0.dtype))
