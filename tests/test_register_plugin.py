"""Registering a plugin from Python, without an entry point."""

from __future__ import annotations

import types

import attrs
import pytest
import torch

import fmcore
import fmcore_integrators.plugin
from fmcore import Component, PluginError


@pytest.fixture
def fresh_registry():
    fmcore.reset_registry()
    yield fmcore.get_registry()
    fmcore.reset_registry()


@attrs.frozen
class Midpoint:
    """Explicit midpoint rule (a plugin defined in a test)."""

    steps: int = fmcore.setting(10, "steps")

    def sample(self, field, x0, *, cond=None, generator=None, trajectory=False):
        times = torch.linspace(*field.time_range, self.steps + 1, dtype=x0.dtype)
        h = float(times[1] - times[0])
        states = [x0]
        for t in times[:-1]:
            t = t.expand(x0.shape[0])
            x = states[-1]
            states.append(x + h * field.velocity(x + 0.5 * h * field.velocity(x, t, cond), t + 0.5 * h, cond))
        if not trajectory:
            return fmcore.Solution(states[-1], 2 * self.steps)
        return fmcore.Solution(states[-1], 2 * self.steps, torch.stack(states), times)


def test_register_and_use_from_a_config(fresh_registry):
    plugin = types.SimpleNamespace(fmcore_integrators=lambda: [Component("my-midpoint", Midpoint)])
    info = fmcore.register_plugin(plugin, "my-solvers")
    assert info.status == "loaded" and info.distribution == "local"
    cfg = fmcore.load_config({"data": {"name": "moons"}, "integrator": {"name": "my-midpoint", "steps": 4}})
    assert cfg.integrator.provided.plugin == "my-solvers"
    assert cfg.to_dict()["provenance"]["integrator"]["distribution"] == "local"
    from fmcore.testing import check_component

    check_component("integrator", "my-midpoint")


def test_invalid_plugins_are_refused_with_the_reason(fresh_registry):
    misspelled = types.SimpleNamespace(fmcore_integrator=lambda: [])
    with pytest.raises(PluginError, match="unknown hook 'fmcore_integrator'; did you mean 'fmcore_integrators'"):
        fmcore.register_plugin(misspelled, "typo")
    bad_name = types.SimpleNamespace(fmcore_integrators=lambda: [Component("Mid Point", Midpoint)])
    with pytest.raises(PluginError, match="not lower-case"):
        fmcore.register_plugin(bad_name, "bad-name")
    not_attrs = types.SimpleNamespace(fmcore_integrators=lambda: [Component("x", dict)])
    with pytest.raises(PluginError, match="not an attrs class"):
        fmcore.register_plugin(not_attrs, "not-attrs")
    raising = types.SimpleNamespace(fmcore_paths=lambda: 1 / 0)
    with pytest.raises(PluginError, match="fmcore_paths\\(\\) raised ZeroDivisionError"):
        fmcore.register_plugin(raising, "raising")
    twice = types.SimpleNamespace(fmcore_paths=lambda: [Component("p", Midpoint), Component("p", Midpoint)])
    with pytest.raises(PluginError, match="lists path 'p' twice"):
        fmcore.register_plugin(twice, "twice")
    good = types.SimpleNamespace(fmcore_integrators=lambda: [Component("my-midpoint", Midpoint)])
    fmcore.register_plugin(good, "solvers")
    with pytest.raises(PluginError, match="already provides a plugin named 'solvers'"):
        fmcore.register_plugin(types.SimpleNamespace(), "solvers")
    builtin = [c.name for c in fmcore_integrators.plugin.fmcore_integrators()]
    mine = [p.name for p in fresh_registry.all("integrator") if p.distribution in ("fmcore", "local")]
    assert mine == [*builtin, "my-midpoint"]  # (other installed distributions may add integrators)


def test_aliases_and_qualified_names_resolve(fresh_registry):
    assert fresh_registry.resolve("path", "linear").name == "condot"
    assert fresh_registry.resolve("path", "FMCORE:condot".lower()).name == "condot"
    assert fresh_registry.canonical_name(fresh_registry.resolve("integrator", "rk2")) == "heun"
    with pytest.raises(PluginError, match="unknown path 'x:condot'"):
        fresh_registry.resolve("path", "x:condot")
