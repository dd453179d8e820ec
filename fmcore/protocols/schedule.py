"""The schedule, time-sampler, time-grid and diffusion protocols (components chosen inside other components)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

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


@runtime_checkable
class TimeGrid(Protocol):
    """The times ``t_start = t_0 < t_1 < … < t_K = t_end`` an integrator steps through (noise to data).

    A grid may place its points by the path's schedule (uniform in log-SNR ``λ = log(α/σ)``, Karras
    et al.'s ρ-spacing of ``σ/α``), so it receives the path.
    """

    def times(self, steps: int, path: Any, t_start: float, t_end: float) -> Tensor:
        """``steps + 1`` increasing float64 times on the CPU, first ``t_start``, last ``t_end``."""
        ...


@runtime_checkable
class Diffusion(Protocol):
    """The diffusion coefficient ``g_t ≥ 0`` of the sampling SDE (DESIGN.md §1)

        dX = [u_t(X) + ½ g_t² ∇log p_t(X)] dt + g_t dW,

    which has the path's marginals ``p_t`` for every choice of ``g``: ``g ≡ 0`` is the probability-flow
    ODE, ``g_t² = 2 σ_t² λ̇_t`` (``λ = log(α/σ)``) Song et al.'s reverse-time SDE for VP and VE.
    A diffusion may read the path's schedule, so it receives the path.
    """

    def g_squared(self, path: Any, t: Tensor) -> Tensor:
        """``g_t²`` elementwise for float64 times ``t``: finite and ``≥ 0`` on ``[t_min, t_max]``."""
        ...
