"""A finite data set (its empirical distribution) and its exact posterior on a Gaussian path."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from fmcore import GaussianPath
from fmcore_oracles.posterior import Posterior


class EmpiricalDistribution(nn.Module):
    """``p_data = (1/N) Σ_i δ(z_i)`` for points ``[N, *event_shape]``.

    On the path ``x_t = α z + σ ε`` the marginal is ``p_t(x) = (1/N) Σ_i N(x; α z_i, σ² I)``; the
    posterior over the points is ``r_i(x) ∝ exp(−‖x − α z_i‖² / (2σ²))`` and

    - ``x̂₁ = Σ_i r_i z_i``,  ``ε̂ = (x − α x̂₁)/σ``,  ``∇ log p_t(x) = −ε̂/σ``.

    The sum runs over chunks of points (at most ``chunk_elements`` pairs ``(x, z_i)`` at once) as a
    running log-sum-exp whose shift is the smallest distance seen, so small ``σ`` snaps ``x̂₁``
    to the nearest point without overflow. At ``σ = 0`` itself ``x_t = z`` says nothing about ``ε``:
    ``x̂₁`` is the point nearest ``x/α``, ``ε̂ = 0`` (its prior mean) and the score is reported as 0.
    """

    def __init__(self, points: Tensor, chunk_elements: int = 2**22):
        super().__init__()
        if points.ndim < 2 or points.shape[0] == 0:
            raise ValueError(f"points must be [N, *event_shape] with N ≥ 1, got shape {list(points.shape)}")
        if not (points.is_floating_point() and torch.isfinite(points).all()):
            raise ValueError("points must be finite floating-point values")
        if chunk_elements < 1:
            raise ValueError(f"chunk_elements must be positive, got {chunk_elements}")
        self.event_shape: tuple[int, ...] = tuple(points.shape[1:])
        self.chunk_elements = chunk_elements
        self.register_buffer("points", points.detach(), persistent=False)

    def posterior(self, path: GaussianPath, x: Tensor, t: Tensor | float) -> Posterior:
        if tuple(x.shape[1:]) != self.event_shape:
            raise ValueError(f"expected points [B, {', '.join(map(str, self.event_shape))}], "
                             f"got shape {list(x.shape)}")
        flat = x.flatten(1)
        c = path.coefficients(t, flat)
        tiny = torch.finfo(x.dtype).tiny
        sigma = c.sigma.clamp_min(tiny)
        data = self._mean(flat, c.alpha, 0.5 / c.sigma.square().clamp_min(tiny))
        noise = torch.where(c.sigma > 0, (flat - c.alpha * data) / sigma, 0.0)
        return Posterior(data=data.view_as(x), noise=noise.view_as(x), score=(-noise / sigma).view_as(x))

    def _mean(self, flat: Tensor, alpha: Tensor, kappa: Tensor) -> Tensor:
        """``Σ_i r_i z_i`` with ``r_i ∝ exp(−κ e_i)``, ``κ = 1/(2σ²)``; ``alpha, kappa`` are ``[B, 1]``.

        ``e_i = α² ‖z_i‖² − 2α ⟨x, z_i⟩`` is ``‖x − α z_i‖²`` less ``‖x‖²``, which the softmax ignores.
        """
        points = self.points.to(flat).flatten(1)
        norms = points.square().sum(1)
        size = max(1, self.chunk_elements // max(1, flat.shape[0]))
        # The running shift: any e_i works; the first point's keeps every exponent finite.
        nearest = (alpha.square() * norms[0] - 2 * alpha * (flat @ points[0, :, None])).detach()
        total = torch.zeros_like(nearest)
        weighted = torch.zeros_like(flat)
        for chunk, chunk_norms in zip(points.split(size), norms.split(size)):
            energy = alpha.square() * chunk_norms - 2 * alpha * (flat @ chunk.T)
            closest = torch.minimum(nearest, energy.detach().amin(1, keepdim=True))
            rescale = torch.exp(-kappa * (nearest - closest))
            weights = torch.exp(-kappa * (energy - closest))
            total = total * rescale + weights.sum(1, keepdim=True)
            weighted = weighted * rescale + weights @ chunk
            nearest = closest
        return weighted / total
