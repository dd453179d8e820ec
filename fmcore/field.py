"""The Field: a network, the target it predicts and the path it lives on, answering as any target."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore.protocols import Network, ProbabilityPath, Target
from fmcore.tensors import as_time


@attrs.define(eq=False)
class Field:
    """``pred = network(x, t, cond)`` read through ``target`` on ``path``.

    ``velocity`` is the learned marginal field ``u_t^θ(x)``, ``score`` ``s_t^θ(x) ≈ ∇ log p_t(x)``,
    ``data`` ``x̂₁`` and ``noise`` ``ε̂``, each converted exactly from the one prediction, so a
    velocity model can drive an SDE and a score model an ODE.
    """

    network: Network
    target: Target
    path: ProbabilityPath

    @property
    def time_range(self) -> tuple[float, float]:
        """Where sampling runs: the path's range, less the ends where the target cannot convert."""
        return self.target.sampling_range(self.path)

    def predict(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        """The raw network output at ``(x, t)``."""
        return self.network(x, as_time(t, x), cond)

    def velocity(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        t = as_time(t, x)
        return self.target.to_velocity(self.path, self.predict(x, t, cond), x, t)

    def score(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        t = as_time(t, x)
        return self.target.to_score(self.path, self.predict(x, t, cond), x, t)

    def data(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        t = as_time(t, x)
        return self.target.to_data(self.path, self.predict(x, t, cond), x, t)

    def noise(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        t = as_time(t, x)
        return self.target.to_noise(self.path, self.predict(x, t, cond), x, t)
