"""``fmcore eval`` and ``fmcore.evaluate``: eval.json on tiny trained runs, NFE counted, user mistakes refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import fmcore
from fmcore.cli import cli
from fmcore.runs import RunDirectory

ROOT = Path(__file__).resolve().parents[1]
ORACLE = "examples/oracle-gmm.toml"
POINTS = {"w2", "sliced-w2", "mmd", "nll", "nfe", "time-per-sample"}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _train(root, name: str, config: str) -> str:
    (root / f"{name}.toml").write_text(config)
    out = str(root / name)
    result = run("train", str(root / f"{name}.toml"), "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("eval"), "moons", '[data]\nname = "moons"\nn = 256\n[network]\nname = "mlp"\n'
                  'width = 16\n[integrator]\nname = "heun"\nsteps = 8\n[train]\nsteps = 5\nlog_every = 5\n')


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("eval"), "digits", '[data]\nname = "digits"\n[network]\nname = "mlp"\n'
                  'width = 32\n[integrator]\nname = "euler"\nsteps = 4\n[train]\nsteps = 20\nbatch_size = 64\n'
                  'log_every = 20\n')


def test_eval_of_a_trained_run_writes_eval_json(moons_run):
    result = run("eval", moons_run, "-n", "300", "--seed", "3")
    assert result.exit_code == 0, result.output
    document = json.loads(RunDirectory.open(moons_run).eval_file.read_text())
    assert {"fmcore_version", "created", "source", "seed", "n_samples", "integrator", "metrics"} <= document.keys()
    assert (document["source"], document["seed"], document["n_samples"]) == (moons_run, 3, 300)
    assert document["integrator"] == {"name": "heun", "steps": 8, "grid": {"name": "uniform"}}
    assert set(document["metrics"]) == POINTS
    for name, entry in document["metrics"].items():
        assert set(entry) == {"value", "unit", "summary"} and math.isfinite(entry["value"]) and entry["summary"]
    assert document["metrics"]["nfe"]["value"] == 16  # Heun: two evaluations per step
    assert document["metrics"]["nll"]["unit"] == "nats" and document["metrics"]["time-per-sample"]["unit"] == "s"
    assert document["metrics"]["w2"]["value"] >= document["metrics"]["sliced-w2"]["value"]
    assert set(document["skipped"]) == {"fd", "class-accuracy"}
    assert "fresh draws of data set 'moons'" in document["reference"]
    lines = result.output.splitlines()
    assert lines[0].split() == ["metric", "value", "unit"] and lines[1].startswith("w2 ")
    assert "skipped fd: needs labelled image data" in result.output
    assert result.output.rstrip().endswith(f"wrote {RunDirectory.open(moons_run).eval_file}")


def test_json_output_is_the_document_and_the_seed_decides_the_values(moons_run):
    args = ("eval", moons_run, "-n", "200", "--metric", "sliced-w2", "--metric", "mmd", "--json")
    first = run(*args)
    assert first.exit_code == 0, first.output
    printed = json.loads(first.output)
    assert printed == json.loads(RunDirectory.open(moons_run).eval_file.read_text())
    again = run(*args)
    assert list(printed["metrics"]) == ["sliced-w2", "mmd"] and printed["skipped"] == {}
    assert json.loads(again.output)["metrics"] == printed["metrics"]
    other = json.loads(run(*args, "--seed", "1").output)
    assert other["metrics"]["sliced-w2"]["value"] != printed["metrics"]["sliced-w2"]["value"]


def test_metric_settings_and_integrator_options(moons_run):
    result = run("eval", moons_run, "-n", "100", "--metric", "sliced-w2", "--metric", "nfe", "--integrator",
                 "rk4", "--steps", "3", "--set", "metric.sliced-w2.projections=4", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["metric_settings"]["sliced-w2"] == {"name": "sliced-w2", "projections": 4}
    assert "over 4 random directions" in document["metrics"]["sliced-w2"]["summary"]
    assert document["metrics"]["nfe"]["value"] == 12 and document["integrator"]["name"] == "rk4"


@pytest.mark.parametrize(("integrator", "settings"), [("euler", {"steps": 7}), ("rk4", {"steps": 5}),
                                                      ("dopri5", {"rtol": 1e-3, "atol": 1e-3})])
def test_counted_nfe_is_what_the_integrator_reports(integrator, settings):
    overrides = [f"integrator={{name = \"{integrator}\"}}", *(f"integrator.{k}={v}" for k, v in settings.items())]
    pipeline = fmcore.Pipeline.open(ORACLE, overrides=overrides)
    result = fmcore.evaluate(pipeline, n=64, metrics=["nfe"])
    assert result.measurements[0].value == pipeline.solve(64, seed=0).nfe
    assert result.measurements[0].value > 0


def test_an_oracle_config_is_evaluated_without_writing_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("eval", str(ROOT / ORACLE), "-n", "100", "--metric", "nfe", "--metric", "w2")
    assert result.exit_code == 0, result.output
    assert "wrote" not in result.output and list(tmp_path.iterdir()) == []
    assert "nfe" in result.output and "integrator heun (steps 20" in result.output


def test_a_labelled_image_run_gets_the_image_metrics_and_caches_its_classifier(digits_run):
    result = run("eval", digits_run, "-n", "200", "--set", "metric.nll.points=50", "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)["metrics"]
    assert set(metrics) == POINTS | {"fd", "class-accuracy", "classifier-accuracy", "nll-bpd"}
    assert metrics["classifier-accuracy"]["value"] > 0.9 and metrics["nll-bpd"]["unit"] == "bits/dim"
    assert "given its label" in metrics["nll"]["summary"] and "hutchinson" in metrics["nll"]["summary"]
    cached = RunDirectory.open(digits_run).eval_dir / "classifier.safetensors"
    written = cached.stat().st_mtime_ns
    again = run("eval", digits_run, "-n", "50", "--metric", "class-accuracy", "--label-guidance", "2", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["guidance"] == 2.0 and cached.stat().st_mtime_ns == written


@pytest.mark.parametrize(("args", "message"), [
    (("--metric", "slice-w2"), "unknown metric 'slice-w2'; did you mean 'sliced-w2'? (available: class-accuracy"),
    (("-n", "10001", "--metric", "w2"), "metric 'w2' does not apply: exact W2 solves an n × n transport problem "
                                        "and takes at most 10000 points, not n = 10001"),
    (("--metric", "fd"), "metric 'fd' does not apply: needs labelled image data [C, H, W]"),
    (("--metric", "w2", "--set", "metric.mmd.bandwidths=[1.0]"), "$.metric.mmd: metric 'mmd' is not evaluated"),
    (("--set", "metric.sliced-w2.projections=0"), "$.metric.sliced-w2.projections"),
    (("--set", "metric.nll.divergence=fast"), "$.metric.nll.divergence"),
    (("--set", "metric.w9.x=1"), "$.metric.w9: unknown metric 'w9'"),
    (("--label-guidance", "2"), "label guidance needs a class-conditional model"),
    (("--set", "network.width=8"), "a trained run can change only its integrator"),
])
def test_user_mistakes_are_one_line_errors(moons_run, args, message):
    result = run("eval", moons_run, "-n", "50", *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_the_python_entry_takes_metric_settings():
    pipeline = fmcore.Pipeline.open(ORACLE)
    result = fmcore.evaluate(pipeline, n=50, metrics=["sliced-w2"], settings={"sliced-w2": {"projections": 2}},
                             source="oracle")
    assert [m.name for m in result.measurements] == ["sliced-w2"] and result.source == "oracle"
    assert result.settings == {"sliced-w2": {"name": "sliced-w2", "projections": 2}}
    with pytest.raises(fmcore.FmcoreError, match="at least 2 samples"):
        fmcore.evaluate(pipeline, n=1)


def test_a_run_whose_data_moved_names_the_missing_file(tmp_path, npy_file):
    out = _train(tmp_path, "npy", f'[data]\nname = "npy"\npath = "{npy_file}"\n[network]\nname = "mlp"\nwidth = 8\n'
                 '[train]\nsteps = 2\nlog_every = 2\n')
    npy_file.unlink()
    result = run("eval", out, "-n", "20", "--metric", "nfe")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Error: the reference points come from the model's data set: ")
    assert str(npy_file) in result.output
