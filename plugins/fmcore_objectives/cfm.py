"""Conditional flow matching."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import Batch, Field, ProbabilityPath, Target, choice, setting, spec_type
from fmcore_objectives.weighting import Weighting, unsupported_weighting, weight

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
    """

    time_sampler: TimeSampler = choice("time-sampler", "uniform", "distribution of t on [t_min, t_max]")
    weighting: Weighting = setting("none", "loss weight w(t): none, sigma2 (σ²), snr (α²/σ²), likelihood (g²)")
    coupling: Coupling = choice("coupling", "independent", "how data and noise are paired: independent, "
                                "ot (minibatch optimal transport), sinkhorn (entropic OT)")

    def unsupported(self, path: ProbabilityPath, target: Target) -> str | None:
        return unsupported_weighting(self.weighting, path)

    def loss(self, field: Field, batch: Batch) -> Tensor:
        z, path = batch.x, field.path
        t = self.time_sampler.value.sample(z.shape[0], path.t_min, path.t_max, device=z.device, dtype=z.dtype)
        noise = path.sample_noise(z)
        noise = noise[self.coupling.value.pair(z, noise, batch.cond)]
        x_t = path.sample(z, t, noise)
        target = field.target.regression_target(path, z, noise, x_t, t)
        error = (field.network(x_t, t, batch.cond) - target).square().flatten(1).mean(1)
        return (weight(self.weighting, path, t) * error).mean()
