"""The probability-path protocol."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch
from torch import Tensor


@runtime_checkable
class ProbabilityPath(Protocol):
    """A conditional probability path ``p_t(x|z)`` on ``t ∈ [t_min, t_max] ⊆ [0, 1]``.

    ``t = 0`` is noise, ``p_0(·|z) = p_init``; ``t = 1`` is data, ``p_1(·|z) = δ_z``. The marginal path
    is ``p_t(x) = ∫ p_t(x|z) p_data(z) dz``. A sample ``x_t = sample(z, t, noise)`` is a deterministic
    function of the data point ``z`` and a noise draw (``noise = sample_noise(z)``); holding both fixed,
    the conditional velocity generates it: ``d/dt x_t = velocity(x_t, z, t) = u_t(x_t|z)``.

    ``t_min``/``t_max`` bound the times at which the path is well defined (VP and VE paths only
    approximately reach the ends); objectives and integrators stay inside them. ``t`` arguments are
    ``[B]`` tensors (a scalar is broadcast); data are ``[B, *event_shape]``.
    """

    t_min: float
    t_max: float

    def sample_prior(
        self,
        shape: tuple[int, ...],
        *,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> Tensor:
        """Draw ``x_0 ~ p_init`` of ``shape = (B, *event_shape)``."""
        ...

    def prior_log_prob(self, x: Tensor) -> Tensor:
        """``log p_init(x)`` summed over the event dimensions, shape ``[B]``."""
        ...

    def sample_noise(self, z: Tensor, *, generator: torch.Generator | None = None) -> Tensor:
        """The noise that, with ``z``, determines ``x_t`` (``ε ~ N(0, I)`` for Gaussian paths)."""
        ...

    def sample(self, z: Tensor, t: Tensor, noise: Tensor) -> Tensor:
        """``x_t ~ p_t(·|z)`` for the given noise draw."""
        ...

    def velocity(self, x: Tensor, z: Tensor, t: Tensor) -> Tensor:
        """The conditional vector field ``u_t(x|z)``."""
        ...

    def score(self, x: Tensor, z: Tensor, t: Tensor) -> Tensor:
        """The conditional score ``∇_x log p_t(x|z)``."""
        ...
