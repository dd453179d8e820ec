"""Metrics ``nfe`` and ``time-per-sample``: what drawing the samples cost."""

from __future__ import annotations

import attrs

from fmcore import EvalContext, EvalSetup, Measurement


@attrs.frozen
class NFE:
    """Number of field evaluations per sample, counted while sampling (lower is cheaper)."""

    def unsupported(self, setup: EvalSetup) -> str | None:
        return None

    def compute(self, context: EvalContext) -> list[Measurement]:
        return [Measurement("nfe", float(context.nfe), "", "network evaluations per sample, counted "
                            "(lower is cheaper)")]


@attrs.frozen
class TimePerSample:
    """Wall time to draw one sample: the sampling run's time divided by n (lower is cheaper)."""

    def unsupported(self, setup: EvalSetup) -> str | None:
        return None

    def compute(self, context: EvalContext) -> list[Measurement]:
        value = context.seconds / context.setup.n
        return [Measurement("time-per-sample", value, "s", f"wall time of drawing {context.setup.n} samples "
                            f"in one batch, divided by their number (lower is cheaper)")]
