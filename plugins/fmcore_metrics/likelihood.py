"""Metric ``nll``: the model's negative log-likelihood of reference data, by the probability-flow ODE."""

from __future__ import annotations

import math

import attrs
from attrs.validators import gt, in_

from fmcore import EvalContext, EvalSetup, FmcoreError, Measurement, choice, setting, spec_type
from fmcore.likelihood import DIVERGENCES, bits_per_dim

IntegratorChoice = spec_type("integrator")
EXACT_UP_TO = 16  # dimensions; above, 'auto' estimates the divergence (images: D backward passes per step)


@attrs.frozen
class NLL:
    """Negative log-likelihood of reference data in nats (and bits/dim for pixel data), lower is better."""

    points: int = setting(500, "reference points evaluated (at most the evaluation's n)", validator=gt(0))
    integrator: IntegratorChoice = choice("integrator", {"name": "rk4", "steps": 10},
                                          "the ODE integrator run backward from data to noise")
    divergence: str = setting("auto", "'exact' (one backward pass per dimension), 'hutchinson' (one "
                              f"Rademacher probe) or 'auto': exact up to {EXACT_UP_TO} dimensions",
                              validator=in_(("auto", *DIVERGENCES)))

    def unsupported(self, setup: EvalSetup) -> str | None:
        return None

    def compute(self, context: EvalContext) -> list[Measurement]:
        """``NLL = −(1/k) Σ_i log p(x_i)`` over the first ``k`` reference points (given their labels for a
        class-conditional model), ``log p`` from :meth:`fmcore.Pipeline.log_prob`; for data quantized to
        ``L`` levels also ``bits/dim`` with the dequantization offset (:func:`fmcore.likelihood.bits_per_dim`)."""
        k = min(self.points, context.setup.n)
        cond = None if context.labels is None else context.labels[:k]
        divergence = self.divergence
        if divergence == "auto":
            divergence = "exact" if math.prod(context.setup.event_shape) <= EXACT_UP_TO else "hutchinson"
        log_p = context.pipeline.log_prob(context.data[:k], integrator=self.integrator.value,
                                          divergence=divergence, seed=context.seed, cond=cond).double()
        bad = int((~log_p.isfinite()).sum())
        if bad:
            raise FmcoreError(f"metric 'nll': log p is not finite for {bad} of {k} points; try another "
                              "integrator or more steps (--set metric.nll.integrator.steps=N)")
        given = " given its label" if cond is not None else ""
        found = [Measurement("nll", float(-log_p.mean()), "nats", f"negative log-likelihood of {k} reference "
                             f"points{given}, per point, {divergence} divergence (lower is better)")]
        levels = context.setup.levels
        if levels is not None:
            bpd = float(bits_per_dim(log_p, context.setup.event_shape, levels).mean())
            found.append(Measurement("nll-bpd", bpd, "bits/dim", f"the same in bits per dimension of the "
                                     f"{levels}-level pixels, dequantization offset included (lower is better)"))
        return found
