"""The listing commands and the sample plot."""

from __future__ import annotations

import json

from click.testing import CliRunner

import fmcore
import fmcore_integrators.plugin
from fmcore.cli import cli


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    return result


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"fmcore, version {fmcore.__version__}"


def test_components_lists_every_kind_with_summaries():
    result = run("components")
    assert result.exit_code == 0
    for kind in ("dataset:", "path:", "target:", "objective:", "network:", "integrator:"):
        assert kind in result.output
    assert "condot" in result.output and "aliases: linear, rectified-flow" in result.output
    only_paths = run("components", "path")
    assert "condot" in only_paths.output and "moons" not in only_paths.output


def test_components_json_and_unknown_kind():
    records = json.loads(run("components", "integrator", "--json").output)
    builtin = [r for r in records if r["distribution"] == "fmcore"]  # an installed plugin may add more
    assert [r["name"] for r in builtin] == [c.name for c in fmcore_integrators.plugin.fmcore_integrators()]
    assert all(r["plugin"] == "integrators" for r in builtin)
    bad = run("components", "integrater")
    assert bad.exit_code == 1 and "did you mean 'integrator'" in bad.output


def test_show_lists_settings_with_types_defaults_and_docs():
    result = run("components", "show", "network", "mlp")
    assert result.exit_code == 0
    assert "width: int (default 256)  units per hidden layer" in result.output
    assert "activation: Literal['silu', 'relu'" in result.output
    npy = run("components", "show", "dataset", "npy")
    assert "path: str (required)" in npy.output
    data = json.loads(run("components", "show", "integrator", "rk2", "--json").output)
    assert data["name"] == "heun" and data["settings"][0]["name"] == "steps"
    assert data["settings"][0]["default"] == 100 and not data["settings"][0]["required"]


def test_plugins_text_lists_builtin_plugins():
    result = run("plugins")
    assert result.exit_code == 0
    assert "paths  (fmcore " in result.output and "loaded" in result.output
    assert "integrator: euler, midpoint, heun, rk4" in result.output


def test_sample_plot(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\nname = "circles"\nn = 500\n[network]\nname = "mlp"\nwidth = 16\n'
                   '[integrator]\nname = "euler"\nsteps = 4\n[train]\nsteps = 5\nlog_every = 5\n')
    assert run("train", str(cfg), "--out", str(tmp_path / "run")).exit_code == 0
    result = run("sample", str(tmp_path / "run"), "-n", "50", "-o", str(tmp_path / "x.npy"),
                 "--plot", str(tmp_path / "x.png"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
