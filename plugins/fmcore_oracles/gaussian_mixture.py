"""A Gaussian mixture and its exact posterior, score and marginal density on a Gaussian path."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from fmcore import GaussianPath
from fmcore_oracles.posterior import Posterior


class GaussianMixture(nn.Module):
    """``p_data = Σ_k w_k N(μ_k, Σ_k)`` with means ``[K, D]``, covariances ``[K, D, D]`` (or ``[K, D]``
    diagonal variances, or ``[K]`` isotropic ones) and weights ``[K]`` (normalised; equal by default).

    On the path ``x_t = α z + σ ε`` each component stays Gaussian, so the marginal is exact:
    ``p_t(x) = Σ_k w_k N(x; α μ_k, C_k)`` with ``C_k = α² Σ_k + σ² I``. Conditioning the jointly
    Gaussian ``(z, ε, x)`` on ``x`` (``Cov(z, x) = α Σ_k``, ``Cov(ε, x) = σ I``) gives per component

    - ``E[z | x, k] = μ_k + α Σ_k C_k⁻¹ (x − α μ_k)``,  ``E[ε | x, k] = σ C_k⁻¹ (x − α μ_k)``,
    - ``∇ log N(x; α μ_k, C_k) = −C_k⁻¹ (x − α μ_k)``,

    and the mixture's posterior means and score are these averaged with the responsibilities
    ``r_k(x) = w_k N(x; α μ_k, C_k) / p_t(x)`` (computed by log-sum-exp). ``Σ_k = U_k diag(λ_k) U_kᵀ``
    is diagonalised once, so ``C_k = U_k diag(α² λ_k + σ²) U_kᵀ`` needs no factorisation per time,
    stays positive definite at ``α = 0`` and at ``σ = 0``, and every formula above is finite on the
    whole of ``[t_min, t_max]`` (at ``σ = 0``: ``x̂₁ = x/α``, ``ε̂ = 0``, the score of ``p_data``).
    """

    def __init__(self, means: Tensor, covariances: Tensor, weights: Tensor | None = None):
        super().__init__()
        means = torch.as_tensor(means, dtype=torch.float64)
        if means.ndim != 2 or 0 in means.shape:
            raise ValueError(f"means must be [K, D] with K, D ≥ 1, got shape {list(means.shape)}")
        k, d = means.shape
        covariances = _full_covariances(torch.as_tensor(covariances, dtype=torch.float64), k, d)
        weights = torch.ones(k, dtype=torch.float64) if weights is None else torch.as_tensor(
            weights, dtype=torch.float64)
        if weights.shape != (k,):
            raise ValueError(f"weights must be [K] = [{k}], got shape {list(weights.shape)}")
        if not (torch.isfinite(weights).all() and (weights > 0).all()):
            raise ValueError(f"weights must be positive and finite, got {weights.tolist()}")
        if not (torch.isfinite(means).all() and torch.isfinite(covariances).all()):
            raise ValueError("means and covariances must be finite")
        scale = covariances.abs().amax(dim=(1, 2), keepdim=True)
        if ((covariances - covariances.mT).abs() > 1e-9 * scale).any():
            raise ValueError("covariances must be symmetric")
        eigenvalues, eigenvectors = torch.linalg.eigh(0.5 * (covariances + covariances.mT))
        smallest = eigenvalues[:, 0]
        if not (smallest > 0).all():
            bad = int(torch.argmin(smallest))
            raise ValueError(f"covariances must be positive definite; component {bad} has "
                             f"eigenvalue {float(smallest[bad]):.3g}")
        self.event_shape: tuple[int, ...] = (d,)
        self.register_buffer("means", means, persistent=False)
        self.register_buffer("eigenvalues", eigenvalues, persistent=False)
        self.register_buffer("eigenvectors", eigenvectors, persistent=False)
        self.register_buffer("log_weights", (weights / weights.sum()).log(), persistent=False)

    def posterior(self, path: GaussianPath, x: Tensor, t: Tensor | float) -> Posterior:
        """``x̂₁ = Σ_k r_k E[z|x,k]``, ``ε̂ = Σ_k r_k E[ε|x,k]``,
        ``∇ log p_t(x) = −Σ_k r_k C_k⁻¹ (x − α μ_k)``."""
        alpha, sigma, offset, variance, log_joint = self._components(path, x, t)
        r = torch.softmax(log_joint, dim=1)
        means, vectors = self.means.to(x), self.eigenvectors.to(x)
        lam = self.eigenvalues.to(x)

        def average(coordinates: Tensor) -> Tensor:
            """``Σ_k r_k U_k coordinates_k``: back from each component's eigenbasis, averaged."""
            return torch.einsum("bk,kde,bke->bd", r, vectors, coordinates)

        whitened = offset / variance
        data = r @ means + average(alpha * lam * whitened)
        return Posterior(data=data, noise=average(sigma * whitened), score=-average(whitened))

    def log_prob(self, path: GaussianPath, x: Tensor, t: Tensor | float) -> Tensor:
        """``log p_t(x) = logsumexp_k [log w_k + log N(x; α μ_k, α² Σ_k + σ² I)]``, shape ``[B]``."""
        return torch.logsumexp(self._components(path, x, t)[-1], dim=1)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> Tensor:
        """``n`` draws ``z = μ_k + U_k diag(√λ_k) ξ`` with ``k ~ w``, ``ξ ~ N(0, I)``: ``[n, D]``."""
        which = torch.multinomial(self.log_weights.exp(), n, replacement=True, generator=generator)
        xi = torch.randn(n, self.event_shape[0], generator=generator, dtype=self.means.dtype,
                         device=self.means.device)
        scaled = self.eigenvalues[which].sqrt() * xi
        return self.means[which] + torch.einsum("nde,ne->nd", self.eigenvectors[which], scaled)

    def _components(
        self, path: GaussianPath, x: Tensor, t: Tensor | float
    ) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        """``α, σ`` as ``[B, 1, 1]``; per component the offset ``U_kᵀ (x − α μ_k)`` and the variances
        ``α² λ_k + σ²`` in its eigenbasis, ``[B, K, D]``; and ``log w_k N(x; α μ_k, C_k)``, ``[B, K]``."""
        if x.ndim != 2 or x.shape[1] != self.event_shape[0]:
            raise ValueError(f"expected points [B, {self.event_shape[0]}], got shape {list(x.shape)}")
        c = path.coefficients(t, x)
        alpha, sigma = c.alpha[:, :, None], c.sigma[:, :, None]
        means, vectors = self.means.to(x), self.eigenvectors.to(x)
        offset = torch.einsum("bkd,kde->bke", x[:, None, :] - alpha * means, vectors)
        variance = alpha.square() * self.eigenvalues.to(x) + sigma.square()
        log_normal = -0.5 * (offset.square() / variance + torch.log(2 * math.pi * variance)).sum(2)
        return alpha, sigma, offset, variance, self.log_weights.to(x) + log_normal


def _full_covariances(covariances: Tensor, k: int, d: int) -> Tensor:
    """Full ``[K, D, D]`` covariances from full ones, diagonal ``[K, D]`` or isotropic ``[K]`` variances."""
    if covariances.shape == (k,):
        return torch.diag_embed(covariances[:, None].expand(k, d))
    if covariances.shape == (k, d):
        return torch.diag_embed(covariances)
    if covariances.shape == (k, d, d):
        return covariances
    raise ValueError(f"covariances must be [K, D, D] = [{k}, {d}, {d}] (or diagonal [{k}, {d}], or "
                     f"isotropic [{k}]), got shape {list(covariances.shape)}")
