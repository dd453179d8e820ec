"""Evaluation: a model's samples and densities measured by metric plugins (``fmcore eval``).

``evaluate(pipeline)`` draws ``n`` samples in one batch (counting network calls and timing it), takes
``n`` reference points from the run's data set (:mod:`fmcore.evaluation.reference`; a
class-conditional model draws each sample for its reference point's label), and computes every
metric that applies (:mod:`fmcore.evaluation.selection`). The result is an :class:`Evaluation`,
written as ``RUN/eval.json`` by ``fmcore eval``.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

import fmcore
from fmcore.errors import DataError, FmcoreError, PluginError
from fmcore.evaluation.reference import reference_points
from fmcore.evaluation.sampling import draw
from fmcore.evaluation.selection import select, split_overrides
from fmcore.pipeline import Pipeline
from fmcore.protocols import EvalContext, EvalSetup, Measurement
from fmcore.runs import atomic


@attrs.frozen
class Evaluation:
    """What an evaluation found: ``measurements`` in the order of the metrics, ``skipped`` metrics
    with the reason, and what was evaluated (``source``, ``seed``, ``n``, the resolved ``integrator``
    table, label ``guidance``, where the ``reference`` points come from, each metric's ``settings``)."""

    source: str
    seed: int
    n: int
    integrator: dict[str, Any]
    guidance: float
    reference: str
    measurements: list[Measurement]
    skipped: dict[str, str]
    settings: dict[str, dict[str, Any]]
    created: str

    def to_json(self) -> dict[str, Any]:
        """The ``eval.json`` document (keys of the shared contract first, then the extras)."""
        return {
            "fmcore_version": fmcore.__version__, "created": self.created, "source": self.source,
            "seed": self.seed, "n_samples": self.n, "integrator": self.integrator,
            "metrics": {m.name: {"value": m.value, "unit": m.unit, "summary": m.summary}
                        for m in self.measurements},
            "skipped": self.skipped, "guidance": self.guidance, "reference": self.reference,
            "metric_settings": self.settings,
        }

    def save(self, file: str | Path) -> None:
        """Write :meth:`to_json` to ``file`` atomically."""
        atomic.write_text(file, json.dumps(self.to_json(), indent=1) + "\n")


def evaluate(
    pipeline: Pipeline,
    *,
    n: int = 2000,
    seed: int = 0,
    metrics: Sequence[str] | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    guidance: float = 1.0,
    cache: str | Path | None = None,
    source: str = "",
) -> Evaluation:
    """Evaluate ``pipeline`` on ``n`` samples drawn from ``seed`` with its integrator.

    ``metrics``: names to compute, each refused if it does not apply (default: every registered
    metric, those that do not apply skipped with the reason); ``settings``: ``{name: {key: value}}``;
    ``guidance``: classifier-free guidance scale of a class-conditional model; ``cache``: where
    metrics keep what later evaluations reuse (e.g. ``RUN/eval``; default: a temporary directory).
    """
    if n < 2:
        raise FmcoreError(f"an evaluation needs at least 2 samples, got n = {n}")
    setup = EvalSetup(n, pipeline.event_shape, pipeline.context.num_classes, pipeline.units.levels)
    if guidance != 1.0 and setup.num_classes is None:
        raise FmcoreError("label guidance needs a class-conditional model (its data have no labels)")
    selection = select(metrics, settings or {}, setup)
    try:
        reference = reference_points(pipeline, n, seed)
    except DataError as exc:
        raise DataError(f"the reference points come from the model's data set: {exc}") from None
    labels = None if setup.num_classes is None else reference.batch.cond
    if setup.num_classes is not None and labels is None:
        raise FmcoreError(f"the model is class-conditional but its data set '{pipeline.config.data.name}' "
                          "gives no labels now")
    drawn = draw(pipeline, n, seed, labels, guidance)
    measurements: dict[str, Measurement] = {}
    with contextlib.ExitStack() as stack:
        directory = Path(cache) if cache is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        context = EvalContext(setup, drawn.samples, reference.batch.x, labels, pipeline, drawn.nfe,
                              drawn.seconds, seed, directory)
        for chosen in selection.chosen:
            for found in _checked(chosen.name, chosen.metric.compute(context)):
                measurements.setdefault(found.name, found)
    return Evaluation(
        source=source, seed=seed, n=n, integrator=pipeline.config.integrator.to_dict(), guidance=guidance,
        reference=reference.description, measurements=list(measurements.values()), skipped=selection.skipped,
        settings={c.name: c.table for c in selection.chosen},
        created=datetime.datetime.now(datetime.timezone.utc).isoformat(),
    )


def _checked(name: str, found: Any) -> list[Measurement]:
    """``found`` if it is a non-empty list of :class:`Measurement` with finite float values."""
    if not isinstance(found, list) or not found or not all(isinstance(m, Measurement) for m in found):
        raise PluginError(f"metric '{name}' returned {type(found).__name__}, not a non-empty list of Measurement")
    for m in found:
        if not isinstance(m.value, float) or not math.isfinite(m.value):
            raise PluginError(f"metric '{name}': measurement '{m.name}' is {m.value!r}, not a finite float")
    return found


__all__ = ["Evaluation", "evaluate", "split_overrides"]
