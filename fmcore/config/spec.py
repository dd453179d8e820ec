"""A chosen component: a registered name with validated settings.

The same mechanism serves a config's top-level tables (``[path]``) and components chosen inside
another component's settings (a time sampler inside an objective, a schedule inside a path)::

    @attrs.frozen
    class MyObjective:
        time_sampler: TimeSampler = choice("time-sampler", "uniform", "how t is drawn")

where ``TimeSampler = spec_type("time-sampler")``. In a config the nested choice is written as a table
``time_sampler = {name = "logit-normal", std = 1.0}`` or as the bare name ``"logit-normal"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from fmcore.component import BuildContext, setting
from fmcore.config.converter import CONVERTER, describe, structure, unstructure
from fmcore.errors import ConfigIssue, FmcoreError
from fmcore.kinds import kind_named
from fmcore.registry import Provided, Registry


@attrs.frozen
class ComponentSpec:
    """A component chosen in a config: its provider, canonical name and validated settings."""

    kind: str
    name: str
    provided: Provided = attrs.field(eq=False, repr=False)
    settings: Any
    _built: list = attrs.field(factory=list, init=False, eq=False, repr=False)

    def build(self, context: BuildContext | None = None) -> Any:
        """The component itself, built from the settings (and the context, for networks)."""
        return self.provided.component.build(self.settings, context or BuildContext())

    @property
    def value(self) -> Any:
        """The component built without context, once (for choices nested in settings)."""
        if not self._built:
            self._built.append(self.build())
        return self._built[0]

    def to_dict(self) -> dict[str, Any]:
        """``{"name": ..., **settings}`` as it appears in a config table."""
        return {"name": self.name, **unstructure(self.settings)}

    def provenance(self) -> dict[str, str]:
        p = self.provided
        return {"name": p.name, "distribution": p.distribution, "version": p.version, "plugin": p.plugin}


def resolve_spec(
    kind: str, table: Any, registry: Registry, place: str
) -> tuple[ComponentSpec | None, list[ConfigIssue]]:
    """Validate a component table ``{name = ..., **settings}`` (or a bare name) of ``kind``."""
    if isinstance(table, str):
        table = {"name": table}
    if not isinstance(table, Mapping):
        return None, [ConfigIssue(place, f"expected a table with name = ..., got {describe(table)}")]
    if "name" not in table:
        names = ", ".join(registry.names(kind)) or "none are installed"
        return None, [ConfigIssue(f"{place}.name", f"missing: which {kind} to use ({names})")]
    try:
        provided = registry.resolve(kind, table["name"])
    except FmcoreError as exc:
        return None, [ConfigIssue(f"{place}.name", str(exc))]
    settings = {k: v for k, v in table.items() if k != "name"}
    obj, issues = structure(settings, provided.component.settings, place)
    if obj is None:
        return None, issues
    return ComponentSpec(kind, registry.canonical_name(provided), provided, obj), []


class _NestedIssues(Exception):
    """Issues found inside a nested choice; their places are relative to the field holding it."""

    def __init__(self, issues: list[ConfigIssue]):
        super().__init__("; ".join(map(str, issues)))
        self.issues = issues


_SPEC_TYPES: dict[str, type[ComponentSpec]] = {}


def spec_type(kind: str) -> type[ComponentSpec]:
    """The settings type of a component of ``kind`` chosen inside another's settings."""
    if kind not in _SPEC_TYPES:
        kind_named(kind)
        name = "".join(part.title() for part in kind.split("-")) + "Choice"
        _SPEC_TYPES[kind] = attrs.frozen(type(name, (ComponentSpec,), {"__annotations__": {},
                                                                      "KIND": kind}))
    return _SPEC_TYPES[kind]


def make_choice(kind: str, table: Any) -> ComponentSpec:
    """A nested choice of ``kind`` from its table (or name); raises on problems."""
    from fmcore.plugin_manager import get_registry

    spec, issues = resolve_spec(kind, table, get_registry(), "")
    if spec is None:
        raise _NestedIssues(issues)
    return spec_type(kind)(spec.kind, spec.name, spec.provided, spec.settings)


def choice(kind: str, default: str | Mapping[str, Any], doc: str = "") -> Any:
    """A settings field choosing a component of ``kind`` (default: ``default``, a name or table)."""
    return setting(attrs.Factory(lambda: make_choice(kind, default)), doc)


def _structure_choice(value: Any, tp: type) -> ComponentSpec:
    return make_choice(tp.KIND, value)  # type: ignore[attr-defined]


def _is_choice_type(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, ComponentSpec) and hasattr(tp, "KIND")


CONVERTER.register_structure_hook_func(_is_choice_type, _structure_choice)
CONVERTER.register_unstructure_hook_func(_is_choice_type, lambda spec: spec.to_dict())
