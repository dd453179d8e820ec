"""Metric ``class-accuracy``: how often conditional samples look like the class they were drawn for."""

from __future__ import annotations

import attrs

from fmcore import EvalContext, EvalSetup, Measurement
from fmcore_metrics import classifier


@attrs.frozen
class ClassAccuracy:
    """Fraction of class-conditional samples the data's classifier assigns to their label (images)."""

    def unsupported(self, setup: EvalSetup) -> str | None:
        return classifier.unsupported(setup)

    def compute(self, context: EvalContext) -> list[Measurement]:
        """``(1/n) Σ_i [argmax_c f_c(x_i) = y_i]`` for samples ``x_i`` generated for labels ``y_i``."""
        assert context.labels is not None, "a class-conditional evaluation has labels"
        model = classifier.classifier_for(context)
        value = float((model.predict(context.samples) == context.labels).double().mean())
        return [Measurement("class-accuracy", value, "", "fraction of samples the data's classifier "
                            "assigns to the label they were generated for (higher is better)"),
                model.accuracy_measurement()]
