"""Reading config files (TOML or JSON) and applying ``--set key.path=value`` overrides."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fmcore.errors import ConfigError, ConfigIssue, FmcoreError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The raw table in a ``.toml`` or ``.json`` file (decided by suffix; TOML otherwise)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FmcoreError(f"config file '{path}' does not exist") from None
    except UnicodeDecodeError as exc:
        raise FmcoreError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise FmcoreError(f"config file '{path}' cannot be read: {exc.strerror}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FmcoreError(f"{path}: invalid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise FmcoreError(f"{path}: the top level of a config must be a JSON object")
        return data
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FmcoreError(f"{path}: invalid TOML: {exc}") from None


def parse_value(text: str) -> Any:
    """A ``--set`` value: any TOML value (``15``, ``1e-3``, ``true``, ``[1, 2]``, ``"x"``), else the
    bare text as a string (so ``data.name=moons`` needs no quotes)."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(raw: Mapping[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """A copy of ``raw`` with each ``a.b.c=value`` applied; all bad overrides reported together."""
    result = copy.deepcopy(dict(raw))
    issues = []
    for item in overrides:
        key, eq, text = item.partition("=")
        parts = key.strip().split(".")
        if not eq or not all(p.strip() for p in parts):
            issues.append(ConfigIssue(f"--set {item!r}", "expected KEY.PATH=VALUE, e.g. path.beta_max=15"))
            continue
        table = result
        for depth, part in enumerate(parts[:-1]):
            table = table.setdefault(part.strip(), {})
            if not isinstance(table, dict):
                place = "$." + ".".join(parts[: depth + 1])
                issues.append(ConfigIssue(f"--set {item!r}", f"{place} is a value, not a table"))
                break
        else:
            table[parts[-1].strip()] = parse_value(text.strip())
    if issues:
        raise ConfigError(issues)
    return result
