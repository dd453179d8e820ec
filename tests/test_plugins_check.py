"""``fmcore plugins check`` on a fake installed distribution ``checkplugins 0.3`` (a ``.dist-info``
directory on ``sys.path``, as in ``test_plugin_loading.py``), in-process. Its entry points:

- ``good``: a conforming Gaussian path ``steep`` and a data set ``needs-file`` with a required setting;
- ``broken``: raises ImportError when imported;
- ``clash``: a conforming integrator named ``euler``, like the built-in one, and ``wrong-path``, whose
  ``σ̇`` is off by 1%.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fmcore.cli import cli

ENTRY_POINTS = """\
[fmcore]
good = checkplugins.good
broken = checkplugins.broken
clash = checkplugins.clash
"""

GOOD = '''\
import attrs
import torch

import fmcore


@attrs.frozen
class Steep(fmcore.GaussianPath):
    """α_t = t², σ_t = 1 − t²."""

    def schedule(self, t):
        return fmcore.Coefficients(alpha=t**2, sigma=1 - t**2, d_alpha=2 * t, d_sigma=-2 * t)


@attrs.frozen
class NeedsFile:
    """A data set read from a file."""

    path: str = fmcore.setting(doc="the file")


def fmcore_paths():
    return [fmcore.Component("steep", Steep)]


def fmcore_datasets():
    return [fmcore.Component("needs-file", NeedsFile)]
'''

CLASH = '''\
import attrs
import torch

import fmcore


@attrs.frozen
class Euler:
    """Another Euler method."""

    steps: int = fmcore.setting(50, "steps")

    def sample(self, field, x0, *, cond=None, generator=None, trajectory=False):
        times = torch.linspace(*field.time_range, self.steps + 1, dtype=torch.float64).to(x0)
        x, states = x0, [x0]
        for t0, t1 in zip(times[:-1], times[1:]):
            x = x + (t1 - t0) * field.velocity(x, t0.expand(len(x)), cond)
            states.append(x)
        return fmcore.Solution(x, self.steps, torch.stack(states) if trajectory else None,
                               times if trajectory else None)


@attrs.frozen
class WrongPath(fmcore.GaussianPath):
    """CondOT with σ̇ off by 1%."""

    def schedule(self, t):
        one = torch.ones_like(t)
        return fmcore.Coefficients(alpha=t, sigma=1 - t, d_alpha=one, d_sigma=-1.01 * one)


def fmcore_integrators():
    return [fmcore.Component("euler", Euler)]


def fmcore_paths():
    return [fmcore.Component("wrong-path", WrongPath)]
'''


@pytest.fixture
def fake_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The distribution on ``sys.path``; its modules are forgotten afterwards."""
    info = tmp_path / "checkplugins-0.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: checkplugins\nVersion: 0.3\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    package = tmp_path / "checkplugins"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text(GOOD)
    (package / "clash.py").write_text(CLASH)
    (package / "broken.py").write_text('raise ImportError("checkplugins.broken needs not_installed_dep")\n')
    for name in [n for n in os.environ if n.startswith("FMCORE_")]:
        monkeypatch.delenv(name)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    monkeypatch.undo()
    for name in [m for m in sys.modules if m.split(".")[0] == "checkplugins"]:
        del sys.modules[name]
    importlib.invalidate_caches()


def check(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["plugins", "check", *args], env=env)


def test_reports_broken_conflicting_and_nonconforming_plugins(fake_dist):
    result = check("--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert not report["ok"]
    problems = {(p["category"], p["component"]): p for p in report["problems"]}
    broken = problems[("broken", "")]
    assert broken["plugins"] == ["checkplugins:broken"]
    assert "plugin 'broken' (checkplugins 0.3): import failed: ImportError" in broken["message"]
    clash = problems[("conflict", "integrator euler")]
    assert clash["message"] == ("integrator 'euler' is claimed by checkplugins:euler (plugin 'clash'), "
                                "fmcore:euler (plugin 'integrators')")
    wrong = problems[("nonconforming", "path checkplugins:wrong-path")]
    assert wrong["message"].startswith("path 'checkplugins:wrong-path': d_sigma against autograd d/dt: "
                                       "|got − want| = 0.01")
    assert wrong["message"].endswith("(plugin 'clash')")
    assert len(problems) == 3, report["problems"]
    assert {"path checkplugins:steep", "integrator checkplugins:euler"} <= set(report["checked"])
    assert report["skipped"]["dataset checkplugins:needs-file"] == "needs settings: path"
    assert not [c for c in report["checked"] if c.split()[1].startswith("fmcore:")]  # built-ins: --all


def test_text_report_is_one_line_per_problem_even_when_strict(fake_dist):
    result = check(env={"FMCORE_STRICT_PLUGINS": "1"})
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "3 problems"
    assert sorted(line.split(":")[0] for line in lines[1:-1] if not line.startswith("skipped")) == [
        "broken", "conflict", "nonconforming"]
    assert "Traceback" not in result.output


def test_passes_once_the_bad_plugins_are_disabled(fake_dist):
    result = check(env={"FMCORE_DISABLE_PLUGINS": "checkplugins:broken,clash"})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "ok"
