"""The integrator protocol and its result."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs
import torch
from torch import Tensor

from fmcore.protocols.field import VectorField


@attrs.frozen
class Solution:
    """What an integrator returns: the end state ``x``, the number of field evaluations ``nfe``, and on
    request the trajectory ``[K+1, B, *event_shape]`` at ``times`` ``[K+1]``."""

    x: Tensor
    nfe: int
    trajectory: Tensor | None = None
    times: Tensor | None = None


@runtime_checkable
class Integrator(Protocol):
    """Carries samples from noise to data over ``field.time_range`` (the path's ``[t_min, t_max]``
    unless the target cannot convert at an end) by solving ``dX = u_t(X) dt`` (or an SDE with the
    same marginals)."""

    def sample(
        self,
        field: VectorField,
        x0: Tensor,
        *,
        cond: Tensor | None = None,
        generator: torch.Generator | None = None,
        trajectory: bool = False,
    ) -> Solution:
        """Integrate from ``x0 ~ p_init``; ``generator`` drives any noise an SDE method draws."""
        ...
