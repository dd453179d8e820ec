"""From a raw table (a parsed file, overrides applied) to a validated :class:`Config`.

Every problem is collected and raised together as one :class:`~fmcore.errors.ConfigError`.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fmcore.config.converter import describe, structure
from fmcore.config.model import Config
from fmcore.config.spec import ComponentSpec, resolve_spec
from fmcore.config.sources import apply_overrides, read_config_file
from fmcore.config.train import TrainSettings
from fmcore.errors import ConfigError, ConfigIssue, FmcoreError, did_you_mean
from fmcore.kinds import KINDS, top_level_kinds
from fmcore.plugin_manager import get_registry
from fmcore.registry import Registry

#: The component used when a config leaves its table out (``[data]`` has no default).
DEFAULT_NAMES = {
    "path": "condot",
    "target": "velocity",
    "objective": "cfm",
    "network": "mlp",
    "integrator": "heun",
}
TOP_LEVEL = ("seed", *(k.section for k in top_level_kinds()), "train", "provenance")


def load_config(
    source: str | Path | Mapping[str, Any] | Config,
    overrides: Iterable[str] = (),
    registry: Registry | None = None,
) -> Config:
    """Read (a file path) or take (a dict) a config, apply ``--set``-style ``overrides``, validate."""
    if isinstance(source, Config):
        if not overrides:
            return source
        source = source.to_dict(provenance=False)
    name = None
    if isinstance(source, (str, Path)):
        name = str(source)
        raw = read_config_file(source)
    elif isinstance(source, Mapping):
        raw = dict(source)
    else:
        raise FmcoreError(f"a config is a file path or a dict, not {type(source).__name__}")
    try:
        raw = apply_overrides(raw, overrides)
        return resolve(raw, registry or get_registry(), name)
    except ConfigError as exc:
        raise exc.with_source(name) if name else exc from None


def resolve(raw: Mapping[str, Any], registry: Registry, source: str | None = None) -> Config:
    """Validate ``raw`` against the registered components; raise every issue at once."""
    issues: list[ConfigIssue] = []
    for key in raw:
        if key not in TOP_LEVEL:
            issues.append(ConfigIssue(f"$.{key}", f"unknown section{did_you_mean(key, TOP_LEVEL)} "
                                      f"(sections: {', '.join(TOP_LEVEL)})"))
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        issues.append(ConfigIssue("$.seed", f"expected a non-negative integer, got {describe(seed)}"))
    specs: dict[str, ComponentSpec] = {}
    for kind in top_level_kinds():
        assert kind.section is not None
        spec, found = _component(raw, kind.name, kind.section, registry)
        issues += found
        if spec is not None:
            specs[kind.section] = spec
    train, found = structure(raw.get("train", {}), TrainSettings, "$.train")
    issues += found
    issues += _compatibility(specs)
    if issues:
        raise ConfigError(issues, source)
    return Config(seed=seed, train=train, source=source, **specs)


def _component(
    raw: Mapping[str, Any], kind: str, section: str, registry: Registry
) -> tuple[ComponentSpec | None, list[ConfigIssue]]:
    place = f"$.{section}"
    if section not in raw and kind in DEFAULT_NAMES:
        return resolve_spec(kind, {"name": DEFAULT_NAMES[kind]}, registry, place)
    if section not in raw:
        names = ", ".join(registry.names(kind)) or "none are installed"
        return None, [ConfigIssue(place, f"missing table: choose a {kind} with name = ... ({names})")]
    table = raw[section]
    if not isinstance(table, Mapping):
        return None, [ConfigIssue(place, f"expected a table, got {describe(table)}")]
    return resolve_spec(kind, table, registry, place)


def component_spec(kind: str, table: Mapping[str, Any], registry: Registry) -> ComponentSpec:
    """One component table (``{"name": ..., **settings}``) validated on its own, as in ``[kind]``."""
    spec, issues = resolve_spec(kind, table, registry, f"$.{KINDS[kind].section or kind}")
    if issues:
        raise ConfigError(issues)
    assert spec is not None
    return spec


def _compatibility(specs: Mapping[str, ComponentSpec]) -> list[ConfigIssue]:
    """Refuse combinations that make no sense (a target the path cannot convert, …)."""
    if not {"path", "target", "objective"} <= specs.keys():
        return []
    try:
        path = specs["path"].build()
        target = specs["target"].build()
        objective = specs["objective"].build()
    except FmcoreError as exc:
        return [ConfigIssue("$", str(exc))]
    names = {k: specs[k].name for k in ("path", "target", "objective")}
    if not _takes_keyword(target.regression_target, "coefficients"):
        return [ConfigIssue("$.target.name", f"target '{names['target']}': its regression_target lacks the "
                            "keyword argument 'coefficients' of the fmcore.Target protocol (add "
                            "`*, coefficients=None`)")]
    reason = target.unsupported(path)
    if reason:
        return [ConfigIssue("$.target.name", f"target '{names['target']}' cannot be used with "
                            f"path '{names['path']}': {reason}")]
    reason = objective.unsupported(path, target)
    if reason:
        return [ConfigIssue("$.objective", f"objective '{names['objective']}' cannot train target "
                            f"'{names['target']}' on path '{names['path']}': {reason}")]
    return []


def _takes_keyword(method: Any, name: str) -> bool:
    """Whether ``method`` can be called with the keyword argument ``name``."""
    parameters = inspect.signature(method).parameters.values()
    return any(p.name == name and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) or p.kind is p.VAR_KEYWORD
               for p in parameters)
