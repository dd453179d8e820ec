"""The installed plugin template (``examples/plugin-template``, distribution
``fmcore-plugin-template``, entry point ``edm``, integrator ``edm-heun``) as a user sees it: listed by
``fmcore plugins``, usable from a config and the command line, checked by ``fmcore plugins check``,
and removed by ``FMCORE_DISABLE_PLUGINS``. CI installs it (``pip install ./examples/plugin-template``)
before the tests; without it this module is skipped. Its own tests live in the template."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution

import numpy as np
import pytest
from click.testing import CliRunner

import fmcore
from fmcore.cli import cli
from fmcore.testing import isolated_registry

try:
    VERSION = distribution("fmcore-plugin-template").version
except PackageNotFoundError:
    pytest.skip("the plugin template is not installed (pip install ./examples/plugin-template)",
                allow_module_level=True)

MIXTURE_MEAN = np.array([0.0, 1.0])  # examples/oracle-gmm.toml: weights 1/4, 1/4, 1/2 on (−2, 0), (2, 0), (0, 2)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_plugins_json_lists_the_template():
    records = json.loads(run("plugins", "--json").output)
    (edm,) = [r for r in records if r["distribution"] == "fmcore-plugin-template"]
    assert (edm["name"], edm["version"], edm["status"], edm["module"]) == (
        "edm", VERSION, "loaded", "fmcore_plugin_template.plugin")
    assert edm["components"] == [{"kind": "integrator", "name": "edm-heun", "aliases": []}]


def test_a_config_uses_it_to_validate_train_and_sample(tmp_path):
    config = tmp_path / "edm.toml"
    config.write_text('[data]\nname = "moons"\nn = 256\n[network]\nname = "mlp"\nwidth = 16\n'
                      '[integrator]\nname = "edm-heun"\nsteps = 6\ns_churn = 5.0\n'
                      '[train]\nsteps = 3\nlog_every = 3\n')
    assert run("config", "validate", str(config)).output.strip() == f"{config}: ok"
    shown = json.loads(run("config", "show", str(config), "--json").output)
    assert shown["provenance"]["integrator"] == {"name": "edm-heun", "distribution": "fmcore-plugin-template",
                                                 "version": VERSION, "plugin": "edm"}
    assert run("train", str(config), "--out", str(tmp_path / "run")).exit_code == 0
    result = run("sample", str(tmp_path / "run"), "-n", "16", "-o", str(tmp_path / "x.npy"), "--seed", "1")
    assert result.exit_code == 0 and "integrator edm-heun" in result.output, result.output
    assert np.isfinite(np.load(tmp_path / "x.npy")).all()


def test_samples_the_oracle_mixture_from_the_command_line(tmp_path):
    out = tmp_path / "x.npy"
    result = run("sample", "examples/oracle-gmm.toml", "-n", "2000", "-o", str(out), "--seed", "0",
                 "--integrator", "edm-heun", "--set", "integrator.s_churn=10")
    assert result.exit_code == 0, result.output
    x = np.load(out)
    assert np.abs(x.mean(0) - MIXTURE_MEAN).max() < 0.15, x.mean(0)


def test_plugins_check_passes_it():
    report = json.loads(run("plugins", "check", "--json").output)
    assert "integrator fmcore-plugin-template:edm-heun" in report["checked"]
    assert not [p for p in report["problems"] if "fmcore-plugin-template" in " ".join(p["plugins"])]


def test_disable_plugins_removes_it_by_entry_point_or_distribution():
    with isolated_registry({"FMCORE_DISABLE_PLUGINS": "edm"}) as registry:
        assert "edm-heun" not in registry.names("integrator")
        (edm,) = [p for p in registry.plugins if p.distribution == "fmcore-plugin-template"]
        assert edm.status == "disabled"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FMCORE_")}
    listed = subprocess.run([sys.executable, "-m", "fmcore", "components", "integrator", "--json"],
                            env={**env, "FMCORE_DISABLE_PLUGINS": "fmcore-plugin-template"},
                            capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    names = [c["name"] for c in json.loads(listed.stdout)]
    assert "heun" in names and "edm-heun" not in names
    assert "edm-heun" in fmcore.get_registry().names("integrator")  # this process is untouched
