"""The registry: every component the loaded plugins provide, looked up by kind and name.

A name may be given bare (``condot``), by alias, or qualified by its distribution
(``fmcore:condot``). When two distributions provide one name both stay reachable qualified; the bare
name is an error only when it is used, and the error lists both providers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import attrs

from fmcore.component import Component
from fmcore.errors import PluginError, did_you_mean
from fmcore.kinds import kind_named


@attrs.frozen
class Provided:
    """A component with its provenance: which plugin and distribution (and version) provide it."""

    kind: str
    component: Component
    plugin: str
    distribution: str
    version: str

    @property
    def name(self) -> str:
        return self.component.name

    @property
    def qualified_name(self) -> str:
        return f"{self.distribution}:{self.component.name}"


@attrs.frozen
class PluginInfo:
    """One plugin (an entry point, or an object registered from Python) and what became of it."""

    name: str
    module: str
    distribution: str
    version: str
    status: Literal["loaded", "failed", "disabled"]
    error: str = ""
    components: tuple[Provided, ...] = ()


@attrs.define
class Registry:
    """Plugins and the components they provide, by kind."""

    plugins: list[PluginInfo] = attrs.Factory(list)

    def add(self, info: PluginInfo) -> None:
        self.plugins.append(info)

    def all(self, kind: str | None = None) -> Iterator[Provided]:
        """Every component (of ``kind``, if given) from loaded plugins, in load order."""
        if kind is not None:
            kind_named(kind)
        for info in self.plugins:
            for provided in info.components:
                if kind is None or provided.kind == kind:
                    yield provided

    def names(self, kind: str) -> list[str]:
        """The sorted bare names of ``kind``."""
        return sorted({p.name for p in self.all(kind)})

    def resolve(self, kind: str, name: str) -> Provided:
        """The component of ``kind`` called ``name`` (bare, alias, or ``distribution:name``)."""
        kind_named(kind)
        if not isinstance(name, str):
            raise PluginError(f"a {kind} name must be a string, got {name!r}")
        distribution, _, bare = name.rpartition(":")
        candidates = [
            p
            for p in self.all(kind)
            if (not distribution or _same_distribution(p.distribution, distribution))
            and bare in (p.name, *p.component.aliases)
        ]
        exact = [p for p in candidates if p.name == bare]
        found = exact or candidates
        if len(found) == 1:
            return found[0]
        if not found:
            available = self.names(kind)
            listing = ", ".join(available) if available else "none are installed"
            raise PluginError(
                f"unknown {kind} '{name}'{did_you_mean(bare, available)} (available: {listing})"
            )
        providers = ", ".join(f"{p.qualified_name} (plugin '{p.plugin}')" for p in found)
        raise PluginError(
            f"{kind} '{name}' is provided by {len(found)} plugins: {providers}; "
            f"write the qualified name to choose one"
        )

    def canonical_name(self, provided: Provided) -> str:
        """The bare name when it is unambiguous, else the qualified ``distribution:name``."""
        same = [p for p in self.all(provided.kind) if p.name == provided.name]
        return provided.name if len(same) == 1 else provided.qualified_name


def _same_distribution(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return s.lower().replace("_", "-").replace(".", "-")

    return norm(a) == norm(b)

