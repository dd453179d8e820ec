"""Exact marginal fields, usable without training: the oracles of Gaussian mixtures and finite data.

On a Gaussian path ``x_t = α_t z + σ_t ε`` the posterior mean ``x̂₁(x, t) = E[z | x_t = x]`` fixes
everything else: ``ε̂ = (x − α x̂₁)/σ``, ``u_t(x) = α̇ x̂₁ + σ̇ ε̂`` and ``∇ log p_t(x) = −ε̂/σ``.
"""

from fmcore_oracles.empirical import EmpiricalDistribution
from fmcore_oracles.field import OracleField
from fmcore_oracles.gaussian_mixture import GaussianMixture
from fmcore_oracles.network import OracleNetwork
from fmcore_oracles.posterior import Denoiser, Posterior

__all__ = [
    "Denoiser",
    "EmpiricalDistribution",
    "GaussianMixture",
    "OracleField",
    "OracleNetwork",
    "Posterior",
]
