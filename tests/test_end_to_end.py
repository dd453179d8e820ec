"""Train moons through the CLI, sample from the run, and compare with the data."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import fmcore
from fmcore.cli import cli
from tests.distances import wasserstein2

QUICK = ["--set", "train.steps=600", "--set", "train.lr=3e-3", "--set", "network.width=64",
         "--set", "train.batch_size=256", "--set", "train.log_every=100",
         "--set", "train.checkpoint_every=300", "--set", "integrator.steps=20"]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "moons"
    result = CliRunner().invoke(cli, ["train", "examples/moons.toml", "--out", str(out), *QUICK])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def reference():
    return fmcore.create("dataset", "moons", n=1000, seed=123).x.numpy()


def test_run_directory_layout(trained_run):
    assert (trained_run / "config.toml").is_file() and (trained_run / "run.json").is_file()
    steps = sorted(p.name for p in (trained_run / "checkpoints").iterdir())
    assert steps == ["step-00000300", "step-00000600"]
    for name in ("weights.safetensors", "ema.safetensors", "trainer.safetensors", "state.json"):
        assert (trained_run / "checkpoints" / "step-00000600" / name).is_file()
    records = [json.loads(line) for line in (trained_run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [100, 200, 300, 400, 500, 600]
    assert all(np.isfinite(r["loss"]) for r in records)
    assert records[-1]["loss"] < records[0]["loss"]


def test_saved_config_rebuilds_the_run(trained_run):
    cfg = fmcore.load_config(trained_run / "config.toml")
    assert cfg.train.steps == 600 and cfg.network.settings.width == 64
    assert cfg == fmcore.load_config("examples/moons.toml", [q for q in QUICK if q != "--set"])


def test_samples_are_close_to_the_data(trained_run, reference, tmp_path):
    out = tmp_path / "samples.npy"
    result = CliRunner().invoke(cli, ["sample", str(trained_run), "-n", "1000", "-o", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    samples = np.load(out, allow_pickle=False)
    assert samples.shape == (1000, 2) and samples.dtype == np.float32
    trained = wasserstein2(samples, reference)
    untrained = fmcore.Pipeline(fmcore.load_config(trained_run / "config.toml")).sample(1000).numpy()
    assert wasserstein2(untrained, reference) > 0.6
    assert trained < 0.45, f"W2 of trained samples {trained:.3f}"


def test_sample_with_other_integrator_and_steps(trained_run, reference, tmp_path):
    out = tmp_path / "euler.npy"
    result = CliRunner().invoke(
        cli, ["sample", str(trained_run), "-n", "500", "-o", str(out), "--integrator", "euler", "--steps", "40"]
    )
    assert result.exit_code == 0, result.output
    assert "euler" in result.output
    assert wasserstein2(np.load(out), reference[:500]) < 0.5


def test_sampling_is_seeded(trained_run):
    pipe = fmcore.Pipeline.load(trained_run)
    assert torch.equal(pipe.sample(64, seed=3), pipe.sample(64, seed=3))
    assert not torch.equal(pipe.sample(64, seed=3), pipe.sample(64, seed=4))
    assert torch.equal(pipe.sample(100, seed=5, batch_size=30)[:30], pipe.sample(30, seed=5))


def test_sample_errors_are_one_line(trained_run, tmp_path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["sample", str(tmp_path / "nope"), "-n", "3", "-o", str(tmp_path / "x.npy")])
    assert missing.exit_code != 0 and "does not exist" in missing.output
    assert "Traceback" not in missing.output
    bad_name = runner.invoke(cli, ["sample", str(trained_run), "-n", "3", "-o", str(tmp_path / "x.npy"),
                                   "--integrator", "eulr"])
    assert bad_name.exit_code != 0 and "did you mean 'euler'" in bad_name.output
    bad_suffix = runner.invoke(cli, ["sample", str(trained_run), "-n", "3", "-o", str(tmp_path / "x.txt")])
    assert bad_suffix.exit_code != 0 and ".npy" in bad_suffix.output


def test_refuses_to_overwrite_a_run(trained_run):
    result = CliRunner().invoke(cli, ["train", "examples/moons.toml", "--out", str(trained_run), *QUICK])
    assert result.exit_code != 0 and "already holds a run" in result.output
    assert (trained_run / "checkpoints" / "step-00000600").is_dir()


def test_python_api_in_ten_lines(reference):
    cfg = fmcore.load_config({"data": {"name": "moons", "n": 5000}, "network": {"name": "mlp", "width": 64},
                              "integrator": {"name": "heun", "steps": 20},
                              "train": {"steps": 500, "batch_size": 256, "lr": 3e-3}})
    pipe = fmcore.Pipeline.from_config(cfg)
    pipe.train()
    x = pipe.sample(1000, integrator="euler", steps=30)
    assert x.shape == (1000, 2)
    assert wasserstein2(x.numpy(), reference) < 0.5


def test_module_entry_point_runs():
    import subprocess

    out = subprocess.run([sys.executable, "-m", "fmcore", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"fmcore, version {fmcore.__version__}"
