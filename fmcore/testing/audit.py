"""What is wrong with the installed plugins (``fmcore plugins check``).

- *broken*: a plugin that failed to import or to validate;
- *conflict*: a component name or alias of one kind claimed by two plugins (a config must then
  write ``distribution:name``);
- *nonconforming*: a component that fails the conformance checks of its kind
  (:func:`fmcore.testing.check_component`), run on every third-party component (all of them with
  ``everything``). A component with required settings cannot be built from nothing and is skipped;
  a network is checked on the first event shape its builder accepts: ``[2]``, ``[1, 8, 8]``,
  ``[3, 8, 8]``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

import attrs

from fmcore.errors import FmcoreError
from fmcore.registry import PluginInfo, Provided, Registry
from fmcore.testing.conformance import check_component, devices

BUILTIN_DISTRIBUTION = "fmcore"
NETWORK_SHAPES = ((2,), (1, 8, 8), (3, 8, 8))


@attrs.frozen
class Problem:
    """One thing wrong: its category, the plugin(s) and component it concerns, and a one-line message."""

    category: Literal["broken", "conflict", "nonconforming"]
    component: str
    plugins: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.category}: {self.message}"


@attrs.frozen
class Report:
    """What :func:`audit` found: ``checked`` and ``skipped`` (with the reason) name components as
    ``kind distribution:name``."""

    plugins: list[PluginInfo]
    problems: list[Problem]
    checked: list[str]
    skipped: dict[str, str]


def _origin(info: PluginInfo) -> str:
    version = f" {info.version}" if info.version else ""
    return f"plugin '{info.name}' ({info.distribution}{version})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def broken(registry: Registry) -> list[Problem]:
    """Every plugin that failed to import or validate."""
    return [Problem("broken", "", (f"{i.distribution}:{i.name}",), f"{_origin(i)}: {i.error}")
            for i in registry.plugins if i.status == "failed"]


def conflicts(registry: Registry) -> list[Problem]:
    """Every ``(kind, name)`` claimed, as a name or an alias, by more than one component."""
    claims: dict[tuple[str, str], list[Provided]] = defaultdict(list)
    for provided in registry.all():
        for name in (provided.name, *provided.component.aliases):
            claims[provided.kind, name].append(provided)
    problems = []
    for (kind, name), claimants in claims.items():
        if len(claimants) < 2:
            continue
        listing = ", ".join(f"{p.qualified_name}{'' if p.name == name else ' (as an alias)'} (plugin "
                            f"'{p.plugin}')" for p in claimants)
        problems.append(Problem("conflict", f"{kind} {name}",
                                tuple(f"{p.distribution}:{p.plugin}" for p in claimants),
                                f"{kind} '{name}' is claimed by {listing}"))
    return problems


def required_settings(provided: Provided) -> list[str]:
    """The settings a config must give (those without a default)."""
    return [f.name for f in attrs.fields(provided.component.settings) if f.default is attrs.NOTHING]


def conformance(provided: Provided) -> str | None:
    """The first conformance failure of ``provided`` on every device, one line naming the component
    (as the checks do), or ``None``."""
    label = f"{provided.kind} '{provided.qualified_name}'"
    shapes = NETWORK_SHAPES if provided.kind == "network" else ((2,),)
    for device in devices():
        for i, shape in enumerate(shapes):
            try:
                check_component(provided.kind, provided.qualified_name, device=device, event_shape=shape)
                break
            except FmcoreError as refusal:  # e.g. a network for images refusing [2]
                if i == len(shapes) - 1:
                    return f"{label} cannot be built from its defaults: {_first_line(refusal)}"
            except AssertionError as failure:
                return _first_line(failure)
            except Exception as crash:  # a third party's component may raise anything
                return f"{label}: {type(crash).__name__} during the checks: {_first_line(crash)}"
    return None


def audit(registry: Registry, everything: bool = False) -> Report:
    """Broken plugins, conflicts, and the conformance of every third-party component (every component
    with ``everything``). ``registry`` must be the process-wide one (see
    :func:`fmcore.testing.isolated_registry`): the checks resolve names through it."""
    problems = broken(registry) + conflicts(registry)
    checked, skipped = [], {}
    for provided in registry.all():
        if provided.distribution == BUILTIN_DISTRIBUTION and not everything:
            continue
        key = f"{provided.kind} {provided.qualified_name}"
        needs = required_settings(provided)
        if needs:
            skipped[key] = f"needs settings: {', '.join(needs)}"
            continue
        checked.append(key)
        failure = conformance(provided)
        if failure is not None:
            problems.append(Problem("nonconforming", key, (f"{provided.distribution}:{provided.plugin}",),
                                    f"{failure} (plugin '{provided.plugin}')"))
    return Report(list(registry.plugins), problems, checked, skipped)
