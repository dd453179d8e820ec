"""The vector-field protocol that integrators consume."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from torch import Tensor

from fmcore.protocols.path import ProbabilityPath


@runtime_checkable
class VectorField(Protocol):
    """A time-dependent field on a path, answering in every parameterisation.

    ``velocity`` is the marginal ``u_t(x)`` whose ODE ``dX = u_t(X) dt`` carries ``p_init`` to
    ``p_data``; ``score`` is ``∇ log p_t(x)``; ``data`` and ``noise`` are the posterior means
    ``E[z | x_t = x]`` and ``E[ε | x_t = x]``. A trained :class:`fmcore.Field` and an exact oracle both
    implement it, so any integrator runs on either.
    """

    path: ProbabilityPath

    @property
    def time_range(self) -> tuple[float, float]:
        """``[t_start, t_end]``: where integrators start (noise) and stop (data)."""
        ...

    def velocity(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor: ...

    def score(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor: ...

    def data(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor: ...

    def noise(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor: ...
