"""The schedule and time-sampler protocols (components chosen inside other components)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch
from torch import Tensor

from fmcore.gaussian import Coefficients


@runtime_checkable
class Schedule(Protocol):
    """``α_t, σ_t`` and their time derivatives, elementwise in ``t`` (``x_t = α_t z + σ_t ε``).

    Every built-in Gaussian path is also a schedule; path ``gaussian`` takes any schedule by name.
    A schedule may define ``t_min``, ``t_max`` and ``prior_std`` (defaults 0, 1 and 1).
    """

    def schedule(self, t: Tensor) -> Coefficients: ...


@runtime_checkable
class TimeSampler(Protocol):
    """A distribution of training times on ``[t_min, t_max]``."""

    def sample(self, n: int, t_min: float, t_max: float, *, device: torch.device | str | None = None,
               dtype: torch.dtype | None = None) -> Tensor:
        """``n`` times, shape ``[n]``, inside ``[t_min, t_max]``."""
        ...
