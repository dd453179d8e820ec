"""The augmented ODE of the instantaneous change of variables, as a vector field any ODE integrator runs.

Along the flow ``dx/dt = v_t(x)`` the log-density obeys ``d/dt log p_t(x_t) = −div v_t(x_t)``, so the
pair ``y = [x, ℓ]`` solves ``d/dt [x, ℓ] = [v_t(x), −div v_t(x)]``. The state is packed as one tensor
``[B, D + 1]`` (``x`` flattened, ``ℓ`` last) so integrators carry it unchanged.

*Forward* (``reverse=False``, sampling): from ``x ~ p_init`` at ``t_start`` with ``ℓ = log p_init(x)``
the end state is ``[x₁, log p_{t_end}(x₁)]``.

*Reverse* (``reverse=True``, likelihood): integrators only run from ``t_start`` to ``t_end``, so
the reverse field uses the reflected time ``s = t_start + t_end − t`` over the *same* ``time_range``
and answers ``d/ds [x, ℓ] = [−v_t(x), +div v_t(x)]`` at ``t = t_start + t_end − s``. From
``[x, 0]`` at ``s = t_start`` (``t = t_end``) it reaches ``[x_{t_start}, ∫_{t_start}^{t_end} div v_t(x_t) dt]``,
and ``log p_{t_end}(x) = log p_init(x_{t_start}) − ∫ div v_t dt``.

Grids and solvers: the field's ``path`` is a :class:`ReflectedTime` (the time range only), not the
Gaussian path: the schedule in ``t`` says nothing true about the reflected time ``s``. So grids that
read a schedule (``logsnr``, ``edm``) and solvers built on it (DPM-Solver, SDE samplers deriving the
score from the velocity) refuse it instead of silently stepping on a wrong grid or applying Gaussian
formulas to the packed state; ``uniform``, ``cosine`` and ``explicit`` grids and adaptive
integrators work.

Only ``velocity`` is defined: SDE samplers and solvers that call ``score``/``data``/``noise`` are
refused with a clear error.
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore.errors import FmcoreError
from fmcore.likelihood.divergence import DivergenceEstimator
from fmcore.protocols import VectorField
from fmcore.tensors import as_time


def pack(x: Tensor, log_density: Tensor) -> Tensor:
    """``[x, ℓ]`` as one ``[B, D + 1]`` state."""
    return torch.cat([x.flatten(1), log_density[:, None].to(x.dtype)], dim=1)


def unpack(state: Tensor, event_shape: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    """``x`` ``[B, *event_shape]`` and ``ℓ`` ``[B]`` from a packed state."""
    return state[:, :-1].reshape(state.shape[0], *event_shape), state[:, -1]


@attrs.frozen
class ReflectedTime:
    """The time range ``[t_min, t_max]`` of an augmented field, without a schedule."""

    t_min: float
    t_max: float


@attrs.define(eq=False)
class AugmentedField:
    """``d/dt [x, ℓ] = [v_t(x), −div v_t(x)]`` of ``field``, forward in ``t`` or in the reflected
    time ``s = t_start + t_end − t`` (``reverse=True``); see the module docstring."""

    field: VectorField
    divergence: DivergenceEstimator
    event_shape: tuple[int, ...]
    reverse: bool = False

    @property
    def path(self) -> ReflectedTime:
        """Not a Gaussian path: see the module docstring."""
        return ReflectedTime(*self.field.time_range)

    @property
    def time_range(self) -> tuple[float, float]:
        """The field's ``[t_start, t_end]``, also in reflected time."""
        return self.field.time_range

    def velocity(self, y: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        x, _ = unpack(y, self.event_shape)
        t = as_time(t, x)
        if self.reverse:
            t_start, t_end = self.field.time_range
            t = (t_start + t_end) - t
        v, div = self.divergence(lambda point: self.field.velocity(point, t, cond), x)
        if self.reverse:
            return torch.cat([v.flatten(1).neg(), div[:, None]], dim=1)
        return torch.cat([v.flatten(1), div.neg()[:, None]], dim=1)

    def score(self, y: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        raise ode_only()

    def data(self, y: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        raise ode_only()

    def noise(self, y: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        raise ode_only()


def ode_only(reason: str = "") -> FmcoreError:
    """The error for an integrator that cannot run the augmented ODE."""
    return FmcoreError("likelihoods need an ODE integrator that uses only the velocity on a uniform, "
                       "cosine or explicit grid (euler, heun, rk4, adaptive, dopri5)" + (f": {reason}" if reason else ""))
