"""Which metrics an evaluation computes, with which settings, and why the others are left out.

Settings come as ``--set metric.NAME.KEY=VALUE`` (the other ``--set`` items tune the model's
integrator); every problem is reported at once with its place, ``$.metric.NAME.KEY``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from fmcore.config.converter import describe
from fmcore.config.sources import apply_overrides
from fmcore.config.spec import ComponentSpec, resolve_spec
from fmcore.errors import ConfigError, ConfigIssue, FmcoreError, PluginError
from fmcore.plugin_manager import get_registry
from fmcore.protocols import EvalSetup, Metric

PREFIX = "metric."


@attrs.frozen
class Chosen:
    """A metric to compute: its canonical ``name``, the ``metric`` and its resolved settings ``table``."""

    name: str
    metric: Metric
    table: dict[str, Any]


@attrs.frozen
class Selection:
    """The metrics to compute and, for each one left out, why it does not apply."""

    chosen: list[Chosen]
    skipped: dict[str, str]


def split_overrides(overrides: Iterable[str]) -> tuple[list[str], dict[str, Any]]:
    """``--set`` items: those for the model (``integrator.*``) and the metric settings
    ``{NAME: {KEY: value}}`` from ``metric.NAME.KEY=VALUE``."""
    model, metric = [], []
    for item in overrides:
        (metric if item.startswith(PREFIX) else model).append(item)
    settings = apply_overrides({}, metric).get("metric", {})
    return model, settings


def select(names: Sequence[str] | None, settings: Mapping[str, Any], setup: EvalSetup) -> Selection:
    """The metrics ``names`` (every registered one when ``None``) built with ``settings``
    ``{name: {key: value}}``. A named metric that does not apply to ``setup`` is refused; without
    names, those that do not apply are skipped with their reason."""
    registry = get_registry()

    def canonical(name: str) -> str:
        return registry.canonical_name(registry.resolve("metric", name))

    explicit = names is not None
    wanted = list(dict.fromkeys(map(canonical, names))) if names is not None else [
        registry.canonical_name(p) for p in registry.all("metric")]
    issues, tables = [], {}
    for key, table in settings.items():
        place = f"$.metric.{key}"
        try:
            name = canonical(key)
        except PluginError as exc:
            issues.append(ConfigIssue(place, str(exc)))
            continue
        if name not in wanted:
            issues.append(ConfigIssue(place, f"metric '{name}' is not evaluated (add --metric {name})"))
        elif not isinstance(table, Mapping):
            issues.append(ConfigIssue(place, f"expected settings KEY=VALUE, got {describe(table)}"))
        else:
            tables[name] = table
    specs: list[ComponentSpec] = []
    for name in wanted:
        spec, found = resolve_spec("metric", {**tables.get(name, {}), "name": name}, registry, f"$.metric.{name}")
        issues += found
        if spec is not None:
            specs.append(spec)
    if issues:
        raise ConfigError(issues)
    chosen, skipped = [], {}
    for spec in specs:
        metric = spec.build()
        reason = metric.unsupported(setup)
        if reason is None:
            chosen.append(Chosen(spec.name, metric, spec.to_dict()))
        elif explicit:
            raise FmcoreError(f"metric '{spec.name}' does not apply: {reason}")
        else:
            skipped[spec.name] = reason
    return Selection(chosen, skipped)
