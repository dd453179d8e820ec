"""A registry of its own for a test or a check: loaded afresh, used process-wide, then put back."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Mapping

from fmcore import plugin_manager
from fmcore.plugin_manager import PluginLoader, PluginWarning
from fmcore.registry import Registry

#: Loads only the plugins of the ``fmcore`` distribution: the built-in ones.
BUILTINS_ONLY = {"FMCORE_LOAD_PLUGINS": "fmcore"}


@contextlib.contextmanager
def isolated_registry(env: Mapping[str, str] | None = None) -> Iterator[Registry]:
    """Load the entry points into a fresh registry under the environment ``env`` (default: the
    built-in plugins only) and make it the one that :func:`fmcore.get_registry`,
    :func:`fmcore.register_plugin`, :func:`fmcore.create` and configs use until the block ends; the
    previous registry then returns. Plugins that fail to load are recorded in the registry (status
    ``failed``), not warned about."""
    saved = plugin_manager._registry, plugin_manager._loader
    loader = PluginLoader(env=BUILTINS_ONLY if env is None else env)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        registry = loader.load_entry_points()
    plugin_manager._registry, plugin_manager._loader = registry, loader
    try:
        yield registry
    finally:
        plugin_manager._registry, plugin_manager._loader = saved
