"""Plugin discovery and loading on pluggy, through entry points in the ``fmcore`` group.

Environment (read when the registry is first built):

- ``FMCORE_LOAD_PLUGINS=a,b``: allow-list; only these plugins are imported (unset or blank: all).
- ``FMCORE_DISABLE_PLUGINS=a,b``: block-list; these are not imported.
  Both match an entry-point name, a distribution name, or ``distribution:entry-point``.
- ``FMCORE_STRICT_PLUGINS=1``: a plugin that fails to import or validate is an error, not a warning.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from fmcore import hookspecs
from fmcore.component import Component
from fmcore.errors import PluginError, did_you_mean
from fmcore.kinds import KINDS
from fmcore.registry import PluginInfo, Provided, Registry

ENTRY_POINT_GROUP = "fmcore"
LOCAL_DISTRIBUTION = "local"


class PluginWarning(UserWarning):
    """A plugin was skipped because it failed to import or validate."""


class _Invalid(Exception):
    """Raised inside the loader when a plugin does not validate."""


class _PluginManager(pluggy.PluginManager):
    """Treats every ``fmcore_*`` function of a plugin as a hook implementation (as pytest does)."""

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith("fmcore_") and callable(getattr(plugin, name, None)):
            return {}
        return opts


_COMPONENT_HOOKS = {kind.hook: kind.name for kind in KINDS.values()}


class PluginLoader:
    """Loads plugins into a :class:`Registry`, validating each on its own."""

    def __init__(self, env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        self.allow = _name_list(env.get("FMCORE_LOAD_PLUGINS"))
        self.block = _name_list(env.get("FMCORE_DISABLE_PLUGINS"))
        self.strict = env.get("FMCORE_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes"}
        self.pm = _PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()

    def load_entry_points(self) -> Registry:
        """Discover, filter, import and validate every plugin in the ``fmcore`` group."""
        found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (_dist_name(e), e.name))
        for ep in found:
            self._load_entry_point(ep)
        return self.registry

    def _load_entry_point(self, ep: EntryPoint) -> None:
        dist, version = _dist_name(ep), _dist_version(ep)
        keys = {ep.name, dist, f"{dist}:{ep.name}"}
        keys = {_norm(k) for k in keys}
        if (self.allow is not None and not keys & self.allow) or (self.block and keys & self.block):
            self.registry.add(PluginInfo(ep.name, ep.value, dist, version, "disabled"))
            return
        try:
            module = ep.load()
        except Exception as exc:  # a third party's import may raise anything
            self._fail(ep.name, ep.value, dist, version, f"import failed: {_describe(exc)}")
            return
        self.register(module, ep.name, dist, version, ep.value)

    def register(
        self,
        plugin: Any,
        name: str,
        distribution: str = LOCAL_DISTRIBUTION,
        version: str = "",
        module: str | None = None,
    ) -> PluginInfo:
        """Register ``plugin`` (a module, class or object with ``fmcore_*`` hooks) under ``name``;
        the returned record's status says whether it loaded."""
        module = module or getattr(plugin, "__name__", type(plugin).__name__)
        if any(info.name == name and info.distribution == distribution and info.status == "loaded"
               for info in self.registry.plugins):
            return self._fail(name, module, distribution, version,
                              f"{distribution} already provides a plugin named '{name}'")
        try:
            self.pm.register(plugin, name=f"{distribution}:{name}")
        except Exception as exc:
            return self._fail(name, module, distribution, version, f"invalid: {_describe(exc)}")
        try:
            components = self._collect(plugin, name, distribution, version)
        except _Invalid as exc:
            self.pm.unregister(plugin)
            return self._fail(name, module, distribution, version, f"invalid: {exc}")
        info = PluginInfo(name, module, distribution, version, "loaded", "", components)
        self.registry.add(info)
        return info

    def _collect(self, plugin: Any, name: str, dist: str, version: str) -> tuple[Provided, ...]:
        callers = self.pm.get_hookcallers(plugin) or []
        unknown = sorted(caller.name for caller in callers if caller.spec is None)
        if unknown:
            hooks = [h for h in vars(self.pm.hook) if getattr(self.pm.hook, h).spec is not None]
            raise _Invalid(f"unknown hook '{unknown[0]}'{did_you_mean(unknown[0], hooks)}")
        provided: list[Provided] = []
        for caller in callers:
            kind = _COMPONENT_HOOKS.get(caller.name)
            if kind is None:
                continue
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin:
                    provided += self._records(impl.function, caller.name, kind, name, dist, version)
        return tuple(provided)

    def _records(self, hook: Any, hook_name: str, kind: str, name: str, dist: str, version: str):
        try:
            records = hook()
        except Exception as exc:
            raise _Invalid(f"hook {hook_name}() raised {_describe(exc)}") from exc
        if not isinstance(records, (list, tuple)):
            raise _Invalid(f"hook {hook_name}() must return a list of Component, got {records!r}")
        seen: set[str] = set()
        out = []
        for record in records:
            if not isinstance(record, Component):
                raise _Invalid(f"hook {hook_name}() returned {record!r}, not a fmcore.Component")
            problems = record.problems()
            if problems:
                raise _Invalid(problems[0])
            if record.name in seen:
                raise _Invalid(f"hook {hook_name}() lists {kind} '{record.name}' twice")
            seen.add(record.name)
            out.append(Provided(kind, record, name, dist, version))
        return out

    def _fail(self, name: str, module: str, dist: str, version: str, why: str) -> PluginInfo:
        info = PluginInfo(name, module, dist, version, "failed", why)
        self.registry.add(info)
        origin = f"plugin '{name}' from distribution {dist} {version}".rstrip()
        if self.strict:
            raise PluginError(f"fmcore: {origin} failed: {why} (FMCORE_STRICT_PLUGINS=1)")
        warnings.warn(PluginWarning(f"fmcore: {origin} was skipped: {why}"), stacklevel=4)
        return info


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def _name_list(value: str | None) -> set[str] | None:
    """The names in a comma-separated variable; ``None`` when it is unset or blank."""
    if value is None or not value.strip():
        return None
    return {_norm(part) for part in value.split(",") if part.strip()}


def _dist_name(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.metadata["Name"] if dist is not None else "unknown"


def _dist_version(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.version if dist is not None else ""


_registry: Registry | None = None
_loader: PluginLoader | None = None


def get_registry() -> Registry:
    """The process-wide registry, built from entry points on first use."""
    global _registry, _loader
    if _registry is None:
        _loader = PluginLoader()
        _registry = _loader.load_entry_points()
    return _registry


def get_plugin_manager() -> pluggy.PluginManager:
    """The pluggy manager behind the registry (for non-component hooks such as ``fmcore_commands``)."""
    get_registry()
    assert _loader is not None
    return _loader.pm


def register_plugin(plugin: Any, name: str, distribution: str = LOCAL_DISTRIBUTION) -> PluginInfo:
    """Register a plugin object from Python (a module or object with ``fmcore_*`` hooks).

    Raises :class:`PluginError` if it does not validate.
    """
    get_registry()
    assert _loader is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        info = _loader.register(plugin, name, distribution)
    if info.status != "loaded":
        raise PluginError(f"plugin '{name}' cannot be registered: {info.error}")
    return info


def reset_registry() -> None:
    """Forget the loaded plugins; the next lookup discovers them again (reads the environment anew)."""
    global _registry, _loader
    _registry = None
    _loader = None

