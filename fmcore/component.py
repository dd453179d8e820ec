"""The record a plugin returns for each component it provides, and helpers to declare settings.

A component's *settings* are an attrs class: its fields are the config keys, with types, defaults,
validators and a one-line doc each (:func:`setting`). cattrs builds the settings straight from the
config table. The simplest component *is* its settings class (the record's ``build`` is omitted); a
component that needs more (a network needs the data shape) gives a builder
``build(settings, context) -> component``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import attrs

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")


@attrs.frozen
class BuildContext:
    """What a builder may need beyond its settings: the data's event shape and number of classes,
    and (for networks such as the exact oracles) the path and target they serve."""

    event_shape: tuple[int, ...] | None = None
    num_classes: int | None = None
    path: Any = None
    target: Any = None


def _same(settings: Any, context: BuildContext) -> Any:
    return settings


@attrs.frozen
class Component:
    """One component a plugin provides.

    ``name`` is lower-case ``[a-z0-9][a-z0-9-]*``; ``settings`` is an attrs class; ``build`` turns
    settings into the component (defaults to the settings object itself); ``summary`` defaults to the
    first paragraph of the settings class's docstring, on one line.
    """

    name: str
    settings: type
    build: Callable[[Any, BuildContext], Any] = _same
    summary: str = ""
    aliases: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not self.summary:
            doc = inspect.getdoc(self.settings) or ""
            first_paragraph = doc.strip().split("\n\n")[0]
            object.__setattr__(self, "summary", " ".join(first_paragraph.split()))

    def problems(self) -> list[str]:
        """What is wrong with this record (empty when it is valid)."""
        found = []
        for name in (self.name, *self.aliases):
            if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
                found.append(f"component name {name!r} is not lower-case [a-z0-9][a-z0-9-]*")
        if not (isinstance(self.settings, type) and attrs.has(self.settings)):
            found.append(f"component '{self.name}': settings {self.settings!r} is not an attrs class")
        if not callable(self.build):
            found.append(f"component '{self.name}': build {self.build!r} is not callable")
        return found


def setting(default: Any = attrs.NOTHING, doc: str = "", **kwargs: Any) -> Any:
    """An attrs field with a one-line ``doc`` shown by ``fmcore components show``.

    Leave ``default`` out for a required setting. Other keyword arguments go to :func:`attrs.field`.
    """
    metadata = dict(kwargs.pop("metadata", {}))
    metadata["doc"] = doc
    return attrs.field(default=default, metadata=metadata, **kwargs)
