"""``fmcore.create``: build any one registered component from its settings."""

from __future__ import annotations

from typing import Any

from fmcore.component import BuildContext
from fmcore.config.converter import structure
from fmcore.errors import ConfigError
from fmcore.kinds import kind_named
from fmcore.plugin_manager import get_registry


def create(kind: str, name: str, *, context: BuildContext | None = None, **settings: Any) -> Any:
    """The component of ``kind`` called ``name``, built from keyword ``settings``.

    ``create("path", "condot")``; ``create("network", "mlp", width=64,
    context=BuildContext(event_shape=(2,)))``. Bad settings raise :class:`ConfigError`.
    """
    kind_named(kind)
    provided = get_registry().resolve(kind, name)
    obj, issues = structure(settings, provided.component.settings, f"{kind}({name})")
    if issues:
        raise ConfigError(issues)
    return provided.component.build(obj, context or BuildContext())
