"""Plugin discovery and loading through real entry points (DESIGN.md §4).

A fake installed distribution ``fakeplugins 1.2.3`` (a ``.dist-info`` directory plus its modules) is
written once into a temporary directory. ``importlib.metadata`` finds it because that directory is put
on ``PYTHONPATH`` (for the command line) or on ``sys.path`` (in-process). It declares, in the entry-point
group ``fmcore``:

- ``good``: a Gaussian path ``good-path`` and an integrator ``euler`` whose name duplicates the built-in
  ``fmcore:euler``;
- ``broken``: raises ImportError when imported;
- ``misspelled``: defines ``fmcore_path()`` (the hook is ``fmcore_paths``);
- ``marker``: writes the file named by ``$FAKEPLUGINS_MARKER`` when imported, to prove that the allow-
  and block-lists act before import.

Each ``python -m fmcore`` subprocess costs a few seconds (torch), so every command-line scenario is
started once, all of them concurrently, by the module-scoped fixture ``cli``.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest

from fmcore.errors import PluginError
from fmcore_integrators import plugin
from fmcore.plugin_manager import PluginLoader, PluginWarning

BUILTIN_PLUGINS = ("paths", "targets", "objectives", "networks", "integrators", "datasets", "oracles",
                   "couplings")
FAKE_PLUGINS = ("good", "broken", "misspelled", "marker")

METADATA = """\
Metadata-Version: 2.1
Name: fakeplugins
Version: 1.2.3
Summary: Fake fmcore plugins for the tests
"""

ENTRY_POINTS = """\
[fmcore]
good = fakeplugins.good
broken = fakeplugins.broken
misspelled = fakeplugins.misspelled
marker = fakeplugins.marker
"""

GOOD = '''\
"""A valid plugin: a Gaussian path, and an integrator named like the built-in one."""

import attrs
import torch

import fmcore
from fmcore import Component, setting


@attrs.frozen
class GoodPath(fmcore.GaussianPath):
    """A fake linear path from the fakeplugins distribution."""

    def schedule(self, t):
        one = torch.ones_like(t)
        return fmcore.Coefficients(alpha=t, sigma=1 - t, d_alpha=one, d_sigma=-one)


@attrs.frozen
class FakeEuler:
    """The fakeplugins Euler integrator."""

    steps: int = setting(7, "number of steps")


def fmcore_paths():
    return [Component("good-path", GoodPath)]


def fmcore_integrators():
    return [Component("euler", FakeEuler)]
'''

BROKEN = '''\
raise ImportError("fakeplugins.broken needs the package not_installed_dep")
'''

MISSPELLED = '''\
from fmcore import Component


def fmcore_path():  # misspelled: the hook is fmcore_paths
    return []
'''

MARKER = '''\
"""Writes the file named by $FAKEPLUGINS_MARKER when imported (and provides nothing)."""

import os
import pathlib

_marker = os.environ.get("FAKEPLUGINS_MARKER")
if _marker:
    pathlib.Path(_marker).write_text("imported")
'''


def write_distribution(root: Path) -> Path:
    """Write the fake installed distribution ``fakeplugins 1.2.3`` and its modules under ``root``."""
    info = root / "fakeplugins-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(METADATA)
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    package = root / "fakeplugins"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text(GOOD)
    (package / "broken.py").write_text(BROKEN)
    (package / "misspelled.py").write_text(MISSPELLED)
    (package / "marker.py").write_text(MARKER)
    return root


@pytest.fixture(scope="module")
def fake_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_distribution(tmp_path_factory.mktemp("site"))


# ---------------------------------------------------------------------------------------------------
# The command line, in subprocesses
# ---------------------------------------------------------------------------------------------------


@attrs.frozen
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    marker: Path

    def json(self):
        return json.loads(self.stdout)

    def warning_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("warning:")]

    def explain(self) -> str:
        command = f"fmcore {' '.join(self.args)} -> {self.returncode}"
        return f"{command}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def _run(dist: Path, work: Path, label: str, args: tuple[str, ...], env: dict[str, str]) -> Result:
    marker = work / f"marker-{label}"
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith("FMCORE_") and k != "PYTHONWARNINGS"
    }
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(dist), os.environ.get("PYTHONPATH")) if p)
    full_env["FAKEPLUGINS_MARKER"] = str(marker)
    full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "fmcore", *args],
        env=full_env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Result(args, proc.returncode, proc.stdout, proc.stderr, marker)


BLOCK = {"FMCORE_DISABLE_PLUGINS": "integrators,fakeplugins:broken,marker"}
ALLOW = {"FMCORE_LOAD_PLUGINS": "paths,good"}
STRICT = {"FMCORE_STRICT_PLUGINS": "1"}


class CLI:
    """Every command-line scenario, started at once on a thread pool; ``cli[label]`` waits for one."""

    def __init__(self, dist: Path, work: Path):
        bare = work / "bare.toml"
        bare.write_text('[data]\nname = "moons"\n\n[integrator]\nname = "euler"\n')
        qualified = work / "qualified.toml"
        qualified.write_text('[data]\nname = "moons"\n\n[integrator]\nname = "fakeplugins:euler"\n')
        self.bare_config, self.qualified_config = bare, qualified
        scenarios: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
            "plugins": (("plugins", "--json"), {}),
            "plugins-blocked": (("plugins", "--json"), BLOCK),
            "integrators-blocked": (("components", "integrator", "--json"), BLOCK),
            "plugins-allowed": (("plugins", "--json"), ALLOW),
            "plugins-strict": (("plugins", "--json"), STRICT),
            "show-bare": (("components", "show", "integrator", "euler"), {}),
            "show-qualified": (("components", "show", "integrator", "fakeplugins:euler", "--json"), {}),
            "validate-bare": (("config", "validate", str(bare)), {}),
            "validate-qualified": (("config", "validate", str(qualified)), {}),
        }
        self._pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
        self._futures: dict[str, Future[Result]] = {
            label: self._pool.submit(_run, dist, work, label, args, env)
            for label, (args, env) in scenarios.items()
        }

    def __getitem__(self, label: str) -> Result:
        return self._futures[label].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def cli(fake_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CLI]:
    runner = CLI(fake_dist, tmp_path_factory.mktemp("work"))
    yield runner
    runner.close()


def by_key(records: list[dict]) -> dict[tuple[str, str], dict]:
    """Plugin records keyed by ``(distribution, entry-point name)``; fails on a repeated key."""
    keyed = {(r["distribution"], r["name"]): r for r in records}
    assert len(keyed) == len(records), records
    return keyed


def test_plugins_json_lists_builtin_plugins_as_loaded(cli):
    result = cli["plugins"]
    assert result.returncode == 0, result.explain()
    plugins = by_key(result.json())
    for name in BUILTIN_PLUGINS:
        record = plugins[("fmcore", name)]
        assert record["status"] == "loaded", record
        assert record["error"] == "", record
        assert record["components"], record
    integrators = plugins[("fmcore", "integrators")]
    hooks = {"integrator": plugin.fmcore_integrators, "time-grid": plugin.fmcore_time_grids,
             "diffusion": plugin.fmcore_diffusions}
    assert {(c["kind"], c["name"]) for c in integrators["components"]} == {
        (kind, component.name) for kind, hook in hooks.items() for component in hook()
    }


def test_plugins_json_lists_good_plugin_with_distribution_version_and_components(cli):
    result = cli["plugins"]
    assert result.returncode == 0, result.explain()
    good = by_key(result.json())[("fakeplugins", "good")]
    assert good["version"] == "1.2.3"
    assert good["module"] == "fakeplugins.good"
    assert good["status"] == "loaded"
    assert good["error"] == ""
    assert sorted((c["kind"], c["name"]) for c in good["components"]) == [
        ("integrator", "euler"),
        ("path", "good-path"),
    ]
    # The loaded marker plugin was imported: the marker file is how later tests prove "no import".
    assert by_key(result.json())[("fakeplugins", "marker")]["status"] == "loaded"
    assert result.marker.read_text() == "imported"


def test_plugin_that_fails_to_import_is_failed_with_its_import_error(cli):
    result = cli["plugins"]
    assert result.returncode == 0, result.explain()
    broken = by_key(result.json())[("fakeplugins", "broken")]
    assert broken["status"] == "failed"
    assert broken["version"] == "1.2.3"
    assert "ImportError" in broken["error"]
    assert "not_installed_dep" in broken["error"]
    assert broken["components"] == []


def test_plugin_with_misspelled_hook_is_failed_with_did_you_mean(cli):
    result = cli["plugins"]
    assert result.returncode == 0, result.explain()
    misspelled = by_key(result.json())[("fakeplugins", "misspelled")]
    assert misspelled["status"] == "failed"
    assert "unknown hook 'fmcore_path'" in misspelled["error"]
    assert "did you mean 'fmcore_paths'" in misspelled["error"]
    assert misspelled["components"] == []


def test_failed_plugins_warn_once_each_naming_plugin_and_distribution(cli):
    result = cli["plugins"]
    assert result.returncode == 0, result.explain()
    assert "Traceback" not in result.stderr
    lines = result.warning_lines()
    for name, problem in (("broken", "ImportError"), ("misspelled", "fmcore_path")):
        mine = [line for line in lines if f"plugin '{name}'" in line]
        assert len(mine) == 1, result.stderr
        assert "distribution fakeplugins 1.2.3" in mine[0]
        assert problem in mine[0]
    assert len(lines) == 2, result.stderr  # nothing about the plugins that loaded


def test_disable_plugins_marks_builtin_integrators_disabled_and_skips_their_import(cli):
    result = cli["plugins-blocked"]
    assert result.returncode == 0, result.explain()
    plugins = by_key(result.json())
    for key in (("fmcore", "integrators"), ("fakeplugins", "broken"), ("fakeplugins", "marker")):
        assert plugins[key]["status"] == "disabled", plugins[key]
        assert plugins[key]["error"] == ""
        assert plugins[key]["components"] == []
    for name in set(BUILTIN_PLUGINS) - {"integrators"}:
        assert plugins[("fmcore", name)]["status"] == "loaded"
    assert plugins[("fakeplugins", "good")]["status"] == "loaded"
    # Acts before import: the disabled marker plugin never ran, the disabled broken one never raised.
    assert not result.marker.exists()
    warned = result.warning_lines()
    assert not [line for line in warned if "'broken'" in line], result.stderr
    # ... while warnings are shown in this run (the misspelled plugin still fails).
    assert [line for line in warned if "'misspelled'" in line], result.stderr


def test_disable_plugins_removes_builtin_integrators_from_components(cli):
    result = cli["integrators-blocked"]
    assert result.returncode == 0, result.explain()
    found = [(c["distribution"], c["name"]) for c in result.json()
             if c["distribution"] in ("fmcore", "fakeplugins")]  # other installed ones may add more
    assert found == [("fakeplugins", "euler")]


def test_load_plugins_allow_list_loads_only_the_named_plugins(cli):
    result = cli["plugins-allowed"]
    assert result.returncode == 0, result.explain()
    plugins = by_key(result.json())
    assert set(plugins) >= {("fmcore", n) for n in BUILTIN_PLUGINS} | {
        ("fakeplugins", n) for n in FAKE_PLUGINS
    }  # and any other installed plugin, disabled below
    loaded = {key for key, r in plugins.items() if r["status"] == "loaded"}
    assert loaded == {("fmcore", "paths"), ("fakeplugins", "good")}
    assert {r["status"] for key, r in plugins.items() if key not in loaded} == {"disabled"}
    # Nothing outside the list was imported: no marker, no warning for broken or misspelled.
    assert not result.marker.exists()
    assert result.warning_lines() == [], result.stderr


def test_strict_plugins_turns_a_broken_plugin_into_a_one_line_error(cli):
    result = cli["plugins-strict"]
    assert result.returncode == 1, result.explain()
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "plugin 'broken'" in errors[0]
    assert "fakeplugins" in errors[0]
    assert "ImportError" in errors[0]
    assert result.stderr.strip().splitlines()[-1] == errors[0]


def test_bare_duplicate_name_is_an_error_listing_both_providers(cli):
    result = cli["show-bare"]
    assert result.returncode == 1, result.explain()
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "fmcore:euler" in errors[0]
    assert "fakeplugins:euler" in errors[0]


def test_qualified_duplicate_name_shows_that_provider(cli):
    result = cli["show-qualified"]
    assert result.returncode == 0, result.explain()
    shown = result.json()
    assert (shown["kind"], shown["name"]) == ("integrator", "euler")
    assert (shown["distribution"], shown["version"], shown["plugin"]) == ("fakeplugins", "1.2.3", "good")
    assert shown["summary"] == "The fakeplugins Euler integrator."
    assert [(s["name"], s["default"]) for s in shown["settings"]] == [("steps", 7)]


def test_config_with_bare_duplicate_name_reports_place_and_both_providers(cli):
    result = cli["validate-bare"]
    assert result.returncode == 1, result.explain()
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "$.integrator.name" in errors[0]
    assert "fmcore:euler" in errors[0]
    assert "fakeplugins:euler" in errors[0]


def test_config_with_qualified_duplicate_name_validates(cli):
    result = cli["validate-qualified"]
    assert result.returncode == 0, result.explain()
    assert result.stdout.strip() == f"{cli.qualified_config}: ok"


# ---------------------------------------------------------------------------------------------------
# The loader in-process, on a patched sys.path
# ---------------------------------------------------------------------------------------------------


def _forget_modules(*prefixes: str) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] in prefixes]:
        del sys.modules[name]


@pytest.fixture
def on_sys_path(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Put directories on ``sys.path`` (caches invalidated); forget the modules they gave afterwards."""
    prefixes: list[str] = []

    def add(directory: Path, *module_prefixes: str) -> None:
        prefixes.extend(module_prefixes)
        monkeypatch.syspath_prepend(str(directory))  # also calls importlib.invalidate_caches()

    monkeypatch.delenv("FAKEPLUGINS_MARKER", raising=False)
    yield add
    monkeypatch.undo()
    _forget_modules(*prefixes)
    importlib.invalidate_caches()


def _load(env: dict[str, str]):
    """Load every entry point with ``env``; return the registry and the PluginWarnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry = PluginLoader(env=env).load_entry_points()
    return registry, [w for w in caught if issubclass(w.category, PluginWarning)]


def _statuses(registry) -> dict[tuple[str, str], str]:
    return {(p.distribution, p.name): p.status for p in registry.plugins}


def test_loader_in_process_warns_for_failed_plugins_and_resolves_qualified_names(on_sys_path, fake_dist):
    on_sys_path(fake_dist, "fakeplugins")
    registry, caught = _load({})
    statuses = _statuses(registry)
    assert {k: v for k, v in statuses.items() if k[0] == "fakeplugins"} == {
        ("fakeplugins", "good"): "loaded",
        ("fakeplugins", "broken"): "failed",
        ("fakeplugins", "misspelled"): "failed",
        ("fakeplugins", "marker"): "loaded",
    }
    assert sorted(str(w.message).split("'")[1] for w in caught) == ["broken", "misspelled"]
    # A qualified name picks one provider; the distribution part ignores case and _ vs -.
    assert registry.resolve("integrator", "fakeplugins:euler").distribution == "fakeplugins"
    assert registry.resolve("integrator", "FMCORE:euler").distribution == "fmcore"
    assert registry.resolve("path", "good-path").qualified_name == "fakeplugins:good-path"
    with pytest.raises(PluginError, match=r"fakeplugins:euler .*fmcore:euler"):
        registry.resolve("integrator", "euler")


def test_loader_in_process_block_list_matches_normalised_qualified_names_before_import(
    on_sys_path, fake_dist
):
    on_sys_path(fake_dist, "fakeplugins")
    env = {"FMCORE_DISABLE_PLUGINS": " FakePlugins:Broken , fakeplugins:MISSPELLED,marker"}
    registry, caught = _load(env)
    assert caught == []
    statuses = _statuses(registry)
    assert statuses[("fakeplugins", "broken")] == "disabled"
    assert statuses[("fakeplugins", "misspelled")] == "disabled"
    assert statuses[("fakeplugins", "marker")] == "disabled"
    assert statuses[("fakeplugins", "good")] == "loaded"
    assert "fakeplugins.marker" not in sys.modules
    assert "fakeplugins.misspelled" not in sys.modules
    assert "fakeplugins.good" in sys.modules


def test_loader_in_process_block_list_by_distribution_name_removes_the_duplicate(on_sys_path, fake_dist):
    on_sys_path(fake_dist, "fakeplugins")
    registry, caught = _load({"FMCORE_DISABLE_PLUGINS": "fakeplugins"})
    assert caught == []
    statuses = _statuses(registry)
    assert {statuses[("fakeplugins", n)] for n in FAKE_PLUGINS} == {"disabled"}
    assert {statuses[("fmcore", n)] for n in BUILTIN_PLUGINS} == {"loaded"}
    assert registry.resolve("integrator", "euler").qualified_name == "fmcore:euler"
    assert not [m for m in sys.modules if m.split(".")[0] == "fakeplugins"]


def test_loader_in_process_strict_raises_plugin_error_naming_the_plugin(on_sys_path, fake_dist):
    on_sys_path(fake_dist, "fakeplugins")
    with pytest.raises(PluginError, match=r"plugin 'broken' from distribution fakeplugins 1\.2\.3 failed"):
        PluginLoader(env={"FMCORE_STRICT_PLUGINS": "1"}).load_entry_points()


OTHER_METADATA = "Metadata-Version: 2.1\nName: aaplug\nVersion: 0.1\n"
OTHER_ENTRY_POINTS = "[fmcore]\npaths = aaplug_paths\n"
OTHER_MODULE = '''\
import attrs
import torch

import fmcore


@attrs.frozen
class OtherPath(fmcore.GaussianPath):
    """Another distribution's path."""

    def schedule(self, t):
        one = torch.ones_like(t)
        return fmcore.Coefficients(alpha=t, sigma=1 - t, d_alpha=one, d_sigma=-one)


def fmcore_paths():
    return [fmcore.Component("other-path", OtherPath)]
'''


def test_same_entry_point_name_in_two_distributions_loads_both(on_sys_path, tmp_path):
    info = tmp_path / "aaplug-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(OTHER_METADATA)
    (info / "entry_points.txt").write_text(OTHER_ENTRY_POINTS)
    (tmp_path / "aaplug_paths.py").write_text(OTHER_MODULE)
    on_sys_path(tmp_path, "aaplug_paths")
    registry, caught = _load({})
    statuses = _statuses(registry)
    assert statuses[("aaplug", "paths")] == "loaded"
    assert [str(w.message) for w in caught] == []
    assert statuses[("fmcore", "paths")] == "loaded"
    assert registry.resolve("path", "condot").distribution == "fmcore"
