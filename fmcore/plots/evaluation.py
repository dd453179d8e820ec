"""The metrics ``fmcore eval`` writes to ``RUN/eval.json``, read for the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from fmcore.errors import RunError


@attrs.frozen
class Metric:
    """One evaluated number: ``value`` in ``unit`` (``""`` when unitless), and what it measures."""

    name: str
    value: float
    unit: str
    summary: str


@attrs.frozen
class Evaluation:
    """``eval.json``: its metrics and how they were computed (``n_samples``, ``seed``, ``integrator``)."""

    metrics: tuple[Metric, ...]
    n_samples: int | None
    seed: int | None
    integrator: dict[str, Any] | None
    created: str | None


def read_evaluation(file: Path) -> Evaluation | None:
    """The evaluation in ``file``, ``None`` when there is none; a one-line :class:`RunError` when it
    is not the documented shape (``{"metrics": {name: {"value", "unit", "summary"}}, ...}``)."""
    if not file.is_file():
        return None
    try:
        table = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunError(f"{file}: not valid JSON ({exc})") from None
    if not isinstance(table, dict) or not isinstance(table.get("metrics"), dict):
        raise RunError(f"{file}: expected an object with a 'metrics' object")
    metrics = []
    for name, entry in table["metrics"].items():
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise RunError(f"{file}: metrics.{name}.value must be a number")
        metrics.append(Metric(name, float(value), str(entry.get("unit", "")), str(entry.get("summary", ""))))
    integrator = table.get("integrator")
    return Evaluation(tuple(metrics), table.get("n_samples"), table.get("seed"),
                      integrator if isinstance(integrator, dict) else None, table.get("created"))
