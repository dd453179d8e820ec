"""Conditional flow matching."""

from __future__ import annotations

import attrs
import torch
from attrs.validators import ge
from torch import Tensor

from fmcore import Batch, Field, GaussianPath, ProbabilityPath, Target, choice, setting, spec_type
from fmcore_objectives.weighting import Weighting, gaussian_weight, unsupported_weighting

TimeSampler = spec_type("time-sampler")
Coupling = spec_type("coupling")


@attrs.frozen
class ConditionalFlowMatching:
    """Conditional flow matching: L = E_{t, z, ε} w(t) ‖net(x_t, t) − target(z, ε, x_t, t)‖².

    Any target on any path it supports: the regression target is the conditional quantity (for
    velocity α̇ z + σ̇ ε, for noise ε, …). The squared error is averaged over data dimensions, then
    weighted by ``w(t)`` and averaged over the batch. Its gradient equals that of the marginal
    flow-matching loss, because the two differ by a constant (the lecture notes' Theorem 18).

    ``coupling`` pairs the batch's data with its noise, ``(z_i, ε_π(i))``: for any coupling with the
    right marginals the minimiser is a field that carries the noise to the data (Tong et al. 2023);
    OT couplings make it straighter. With a coupling other than ``independent`` the intermediate
    marginals are not the Gaussian path's, so only the velocity is meaningful: a score read from the
    model is not ``∇ log p_t`` (sample it with ODE integrators).

    ``sigma = s > 0`` is Tong et al.'s constant extra noise: ``x_t = α_t z + σ_t ε + s η`` with
    ``η ~ N(0, I)`` drawn apart from the coupling, and the pair's target ``α̇ z + σ̇ ε`` kept (on
    CondOT ``z − ε``: their I-CFM and OT-CFM with ``σ = s``; velocity target only). With independent
    pairs the minimiser is the marginal field of the widened path ``α_t``, ``√(σ_t² + s²)``: given
    ``z`` and ``x``, ``E[σ̇ ε] = σ̇ σ (x − α z)/(σ² + s²)``, that path's conditional velocity.
    Sampling starts from the prior ``N(0, I)``, not ``N(0, (1 + s²) I)``, as theirs does.
    """

    time_sampler: TimeSampler = choice("time-sampler", "uniform", "distribution of t on [t_min, t_max]")
    weighting: Weighting = setting("none", "loss weight w(t): none, sigma2 (σ²), snr (α²/σ²), likelihood (g²)")
    coupling: Coupling = choice("coupling", "independent", "how data and noise are paired: independent, "
                                "ot (minibatch optimal transport), sinkhorn (entropic OT)")
    sigma: float = setting(0.0, "extra noise s η added to x_t with the target kept (Tong et al.'s σ; "
                           "velocity target on a Gaussian path)", validator=ge(0.0))

    def unsupported(self, path: ProbabilityPath, target: Target) -> str | None:
        velocity = isinstance(path, GaussianPath) and getattr(target, "predicts", None) == "velocity"
        if self.sigma > 0 and not velocity:
            return f"sigma = {self.sigma} (extra noise) needs the velocity target on a Gaussian path"
        return unsupported_weighting(self.weighting, path)

    def loss(self, field: Field, batch: Batch) -> Tensor:
        z, path = batch.x, field.path
        t = self.time_sampler.value.sample(z.shape[0], path.t_min, path.t_max, device=z.device, dtype=z.dtype)
        noise = path.sample_noise(z)
        index = self.coupling.value.pair(z, noise, batch.cond)
        if index is not None:
            noise = noise[index]
        c = path.coefficients(t, z) if isinstance(path, GaussianPath) else None  # once, for x_t and target
        x_t = path.sample(z, t, noise) if c is None else c.point(z, noise)
        if self.sigma > 0:
            x_t = x_t + self.sigma * torch.randn_like(x_t)
        target = field.target.regression_target(path, z, noise, x_t, t, coefficients=c)
        error = (field.network(x_t, t, batch.cond) - target).square()
        if self.weighting == "none":  # the mean of the per-sample means, in one operation
            return error.mean()
        assert c is not None  # weightings other than none need a Gaussian path
        return (gaussian_weight(self.weighting, c).flatten() * error.flatten(1).mean(1)).mean()
