"""The run's config summary for the report: its components, steps trained and final loss."""

from __future__ import annotations

import json
from typing import Any

from fmcore.errors import RunError
from fmcore.plots.exact import exact_distribution
from fmcore.plots.loss import final_loss
from fmcore.plots.source import PlotSource
from fmcore.runs import checkpoint as ckpt

COMPONENTS = ("data", "path", "target", "objective", "network", "integrator")


def describe(table: dict[str, Any]) -> str:
    """``name (key = value, ...)`` of a component table, values as JSON."""
    settings = ", ".join(f"{key} = {json.dumps(value)}" for key, value in table.items() if key != "name")
    return f"{table['name']} ({settings})" if settings else str(table["name"])


def summary_rows(source: PlotSource, label: str) -> list[tuple[str, str]]:
    """``(what, value)`` rows: the source, each component with its settings (the integrator as the
    figures used it), the steps trained and the final loss."""
    config = source.pipeline.config
    rows = [("source", label)]
    rows += [(kind, describe(getattr(config, kind).to_dict())) for kind in COMPONENTS]
    if source.run is None:
        oracle = exact_distribution(source.pipeline) is not None
        return [*rows, ("steps trained", "none: an exact oracle needs no training" if oracle else "unknown (no run)")]
    try:
        steps = str(ckpt.step_of(ckpt.latest(source.run.checkpoints)))
    except RunError:
        steps = "no checkpoint"
    last = final_loss(source.run.metrics_file)
    loss = "not logged" if last is None else f"{last[1]:.4g} (step {last[0]})"
    return [*rows, ("steps trained", steps), ("final loss", loss)]
