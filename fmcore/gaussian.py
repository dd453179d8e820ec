"""Gaussian conditional paths ``x_t = α_t z + σ_t ε``: the formulas every such path shares.

A concrete path (a plugin) only supplies its schedule ``α_t, σ_t`` and their time derivatives; the
conditional sample, velocity, score and the prior follow (DESIGN.md §1):

- ``u_t(x|z) = (α̇ − σ̇ α/σ) z + (σ̇/σ) x = α̇ z + σ̇ ε``
- ``∇ log p_t(x|z) = −(x − α z)/σ² = −ε/σ``
"""

from __future__ import annotations

import abc
import math

import attrs
import torch
from torch import Tensor

from fmcore.tensors import expand_time


@attrs.frozen
class Coefficients:
    """``α_t, σ_t, α̇_t, σ̇_t``, each shaped to broadcast against the data."""

    alpha: Tensor
    sigma: Tensor
    d_alpha: Tensor
    d_sigma: Tensor

    def point(self, data: Tensor, noise: Tensor) -> Tensor:
        """``x = α data + σ noise``: the path's sample for this pair (one multiply fewer than
        writing it out)."""
        return torch.addcmul(self.alpha * data, self.sigma, noise)


class GaussianPath(abc.ABC):
    """Base for paths ``p_t(x|z) = N(α_t z, σ_t² I)`` with prior ``p_init = N(0, prior_std² I)``.

    Subclasses implement :meth:`schedule` elementwise in ``t`` and may set ``t_min``, ``t_max`` and
    ``prior_std`` (``σ`` at ``t_min``, e.g. ``σ_max`` for variance-exploding paths).
    """

    t_min: float = 0.0
    t_max: float = 1.0
    prior_std: float = 1.0

    @abc.abstractmethod
    def schedule(self, t: Tensor) -> Coefficients:
        """``α_t, σ_t, α̇_t, σ̇_t`` for a tensor of times, elementwise."""

    def coefficients(self, t: Tensor | float, x: Tensor) -> Coefficients:
        """The schedule at ``t`` (``[B]`` or scalar), shaped ``[B, 1, ..., 1]`` against ``x``."""
        return self.schedule(expand_time(t, x))

    def sample_prior(
        self,
        shape: tuple[int, ...],
        *,
        generator: torch.Generator | None = None,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> Tensor:
        return self.prior_std * torch.randn(shape, generator=generator, device=device, dtype=dtype)

    def prior_log_prob(self, x: Tensor) -> Tensor:
        """``log N(x; 0, s² I) = −‖x‖²/(2s²) − (D/2) log(2π s²)`` per sample."""
        flat = x.flatten(1)
        var = self.prior_std**2
        return -0.5 * flat.square().sum(1) / var - 0.5 * flat.shape[1] * math.log(2 * math.pi * var)

    def sample_noise(self, z: Tensor, *, generator: torch.Generator | None = None) -> Tensor:
        return torch.randn_like(z, generator=generator, memory_format=torch.contiguous_format)

    def sample(self, z: Tensor, t: Tensor, noise: Tensor) -> Tensor:
        return self.coefficients(t, z).point(z, noise)

    def velocity(self, x: Tensor, z: Tensor, t: Tensor) -> Tensor:
        c = self.coefficients(t, x)
        return (c.d_alpha - c.d_sigma * c.alpha / c.sigma) * z + (c.d_sigma / c.sigma) * x

    def score(self, x: Tensor, z: Tensor, t: Tensor) -> Tensor:
        c = self.coefficients(t, x)
        return -(x - c.alpha * z) / c.sigma**2
