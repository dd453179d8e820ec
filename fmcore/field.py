"""The Field: a network, the target it predicts and the path it lives on, answering as any target."""

from __future__ import annotations

import functools

import attrs
import torch
from torch import Tensor

from fmcore.protocols import Network, ProbabilityPath, Target
from fmcore.tensors import as_time


@attrs.define(eq=False)
class Field:
    """``pred = network(x, t, cond)`` read through ``target`` on ``path``.

    ``velocity`` is the learned marginal field ``u_t^θ(x)``, ``score`` ``s_t^θ(x) ≈ ∇ log p_t(x)``,
    ``data`` ``x̂₁`` and ``noise`` ``ε̂``, each converted exactly from the one prediction, so a
    velocity model can drive an SDE and a score model an ODE.

    Classifier-free guidance: with labels ``cond`` and a scale ``w = guidance ≠ 1`` the prediction
    is ``pred_∅ + w (pred_cond − pred_∅)``, where ``pred_∅`` is the network given ``null_cond`` (the
    "no label" class). Every target is linear in the prediction at fixed ``(x, t)``, so the guided
    velocity, score, data and noise agree, and integrators need no change.
    """

    network: Network
    target: Target
    path: ProbabilityPath
    guidance: float = 1.0
    null_cond: int | None = None

    @property
    def time_range(self) -> tuple[float, float]:
        """Where sampling runs: the path's range, less the ends where the target cannot convert
        (probed once per target and path: both are immutable components)."""
        try:
            return _sampling_range(self.target, self.path)
        except TypeError:  # an unhashable third-party target or path: probe every time
            return self.target.sampling_range(self.path)

    def predict(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        """The network output at ``(x, t)``, guided when labels and a scale ≠ 1 are given."""
        t = as_time(t, x)
        if cond is None or self.guidance == 1.0:
            return self.network(x, t, cond)
        if self.null_cond is None:
            raise ValueError("classifier-free guidance needs the network's 'no label' class (null_cond)")
        null = torch.full_like(cond, self.null_cond)
        both = self.network(torch.cat([x, x]), torch.cat([t, t]), torch.cat([cond, null]))
        conditional, unconditional = both.chunk(2)
        return unconditional + self.guidance * (conditional - unconditional)

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


@functools.lru_cache(maxsize=64)
def _sampling_range(target: Target, path: ProbabilityPath) -> tuple[float, float]:
    return target.sampling_range(path)
