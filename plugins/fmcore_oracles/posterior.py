"""The posterior means ``(x̂₁, ε̂)`` of a data distribution on a Gaussian path, and what computes them."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs
from torch import Tensor

from fmcore import GaussianPath


@attrs.frozen
class Posterior:
    """At ``x_t = x``: ``data = x̂₁ = E[z | x]``, ``noise = ε̂ = E[ε | x]`` and ``score = ∇ log p_t(x)``,
    each shaped like ``x``. Where ``σ > 0``, ``α x̂₁ + σ ε̂ = x`` and ``score = −ε̂/σ``."""

    data: Tensor
    noise: Tensor
    score: Tensor


@runtime_checkable
class Denoiser(Protocol):
    """A data distribution whose posterior under a Gaussian path is known in closed form."""

    event_shape: tuple[int, ...]

    def posterior(self, path: GaussianPath, x: Tensor, t: Tensor | float) -> Posterior:
        """The posterior means at ``x`` (``[B, *event_shape]``) and times ``t`` (``[B]`` or scalar)."""
        ...
