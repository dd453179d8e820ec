"""Denoising score matching."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import Batch, Field, GaussianPath, ProbabilityPath, Target, choice, setting, spec_type
from fmcore_objectives.weighting import Weighting, gaussian_weight, unsupported_weighting

TimeSampler = spec_type("time-sampler")


@attrs.frozen
class DenoisingScoreMatching:
    """Denoising score matching: L = E_{t, z, ε} λ(t) ‖s_θ(x_t, t) + ε/σ_t‖², computed in the stable
    form (λ/σ²) ‖σ_t s_θ + ε‖².

    ``s_θ`` is the network's prediction read as a score (any target on a Gaussian path). λ(t):
    ``sigma2`` (λ = σ², the default: the noise-prediction loss ‖σ s_θ + ε‖²), ``none`` (λ = 1),
    ``likelihood`` (λ = g² = 2σ²λ̇, which makes the loss a bound on the negative log-likelihood), ``snr``.
    Minimising it gives ``s_θ = ∇ log p_t``: DSM and marginal score matching differ by a constant.
    """

    time_sampler: TimeSampler = choice("time-sampler", "uniform", "distribution of t on [t_min, t_max]")
    weighting: Weighting = setting("sigma2", "λ(t): sigma2 (σ²), none (1), likelihood (g²), snr (α²/σ²)")

    def unsupported(self, path: ProbabilityPath, target: Target) -> str | None:
        if not isinstance(path, GaussianPath):
            return "denoising score matching needs a Gaussian path x_t = α_t z + σ_t ε"
        return unsupported_weighting(self.weighting, path)

    def loss(self, field: Field, batch: Batch) -> Tensor:
        z, path = batch.x, field.path
        assert isinstance(path, GaussianPath)
        t = self.time_sampler.value.sample(z.shape[0], path.t_min, path.t_max, device=z.device, dtype=z.dtype)
        noise = path.sample_noise(z)
        c = path.coefficients(t, z)
        x_t = c.point(z, noise)
        score = field.target.to_score(path, field.network(x_t, t, batch.cond), x_t, t)
        error = (c.sigma * score + noise).square().flatten(1).mean(1)
        return ((gaussian_weight(self.weighting, c) / c.sigma**2).flatten() * error).mean()
