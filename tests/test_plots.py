"""``fmcore plot`` and ``fmcore.plots``: the figures, the report, the numbers behind them, and errors."""

from __future__ import annotations

import json
import re
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import fmcore
from fmcore.cli import cli
from fmcore.errors import RunError
from fmcore.plots import PlotSettings, make_report
from fmcore.plots.box import Box
from fmcore.plots.density import exact_density, model_density
from fmcore.plots.evaluation import read_evaluation
from fmcore.plots.loss import read_metrics, smooth
from fmcore.plots.trajectories import is_stochastic, record
from fmcore.plots.velocity import velocity_on_grid
from fmcore.runs import RunDirectory

PNG = b"\x89PNG\r\n\x1a\n"
ORACLE = "examples/oracle-gmm.toml"
SMALL = {"n": 200, "paths": 12, "resolution": 16, "density_steps": 6, "arrows": 7, "times": (0.0, 0.5, 1.0)}


def png_size(file) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (after checking the signature)."""
    head = file.read_bytes()[:24]
    assert head[:8] == PNG, f"{file} is not a PNG"
    return struct.unpack(">II", head[16:24])


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def train(tmp_path_factory, name: str, config: dict) -> str:
    out = tmp_path_factory.mktemp("runs") / name
    fmcore.Pipeline.from_config({"seed": 0, **config}).train(out)
    return str(out)


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    """A small MLP trained for 200 steps on moons, logged every 20 steps."""
    return train(tmp_path_factory, "moons", {
        "data": {"name": "moons", "n": 2000}, "network": {"name": "mlp", "width": 32, "depth": 2},
        "integrator": {"name": "heun", "steps": 6},
        "train": {"steps": 200, "batch_size": 128, "lr": 3e-3, "log_every": 20, "checkpoint_every": 0}})


def test_report_of_a_run_draws_every_figure_and_shows_the_metrics(moons_run, tmp_path):
    eval_json = {"fmcore_version": fmcore.__version__, "created": "2025-01-01T00:00:00+00:00",
                 "source": moons_run, "seed": 7, "n_samples": 512, "integrator": {"name": "heun", "steps": 6},
                 "metrics": {"nll": {"value": 1.23456, "unit": "nats", "summary": "held-out NLL, lower is better"},
                             "energy": {"value": 0.0421, "unit": "", "summary": "energy distance to the data"}}}
    eval_file = RunDirectory(Path(moons_run)).eval_file
    eval_file.write_text(json.dumps(eval_json))
    try:
        report = make_report(moons_run, tmp_path / "out", settings=PlotSettings(**SMALL))
    finally:
        eval_file.unlink()
    written = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert written == ["density.png", "field.png", "loss.png", "samples.png", "trajectories.png"]
    for name in written:
        width, height = png_size(tmp_path / "out" / name)
        assert 300 <= width <= 2500 and 200 <= height <= 600, (name, width, height)
        assert (tmp_path / "out" / name).stat().st_size > 5000
    md = (tmp_path / "out" / "report.md").read_text()
    page = (tmp_path / "out" / "index.html").read_text()
    assert sorted(re.findall(r"\]\(([\w-]+\.png)\)", md)) == written
    assert sorted(re.findall(r"<img src='([\w-]+\.png)'", page)) == written
    for text in ("1.23456 nats", "held-out NLL, lower is better", "0.0421", "512 samples", "seed 7"):
        assert text in md and text in page.replace("&#x27;", "'"), text
    assert "| data | moons (n = 2000" in md and "| steps trained | 200 |" in md
    final = read_metrics(Path(moons_run) / "metrics.jsonl")[-1]
    assert f"| final loss | {final['loss']:.4g} (step 200) |" in md
    assert not report.notes and [f.name for f in report.figures] == ["samples", "density", "trajectories",
                                                                       "field", "loss"]


def test_trajectories_start_at_the_prior_draws_and_end_at_the_samples(moons_run):
    pipeline = fmcore.Pipeline.open(moons_run)
    prior = pipeline.path.sample_prior((16, 2), generator=torch.Generator().manual_seed(3))
    for integrator, steps in (("heun", 6), ("euler-maruyama", 8)):
        solver = pipeline.integrator_for(integrator, steps)
        solution = record(pipeline, 16, 3, solver)
        assert solution.trajectory.shape[1:] == (16, 2) and len(solution.times) == solution.trajectory.shape[0]
        assert torch.equal(solution.trajectory[0], pipeline.units.to_data(prior))
        assert torch.equal(solution.trajectory[-1], pipeline.sample(16, integrator=integrator, steps=steps, seed=3))
        assert is_stochastic(pipeline, solver) == (integrator == "euler-maruyama")


def test_an_sde_run_draws_sde_and_ode_paths_and_its_density_with_an_ode(moons_run, tmp_path):
    report = make_report(moons_run, tmp_path, settings=PlotSettings(**SMALL, only=("trajectories", "density")),
                         overrides=['integrator={name = "euler-maruyama", steps = 8}'])
    captions = {f.name: f.caption for f in report.figures}
    assert "SDE and probability-flow ODE trajectories" in captions["trajectories"]
    assert "likelihood ODE (heun, 6 steps" in captions["density"]
    assert "| integrator | euler-maruyama (steps = 8" in (tmp_path / "report.md").read_text()


def test_the_density_grid_integrates_to_one_over_the_mixture():
    """On a box holding the oracle mixture's mass (components ±2 and 2 away from the origin, widths
    0.3 and 0.5), the midpoint rule over the likelihood grid gives mass 1, and the learned density
    (the ODE's) matches the exact one."""
    pipeline = fmcore.Pipeline.open(ORACLE)
    box = Box((-4.5, -2.5), (4.5, 5.0))
    exact = exact_density(pipeline, box, 40)
    learned = model_density(pipeline, box, 40, steps=12)
    assert abs(exact.mass() - 1) < 1e-3
    assert abs(learned.mass() - 1) < 0.02
    p, q = np.exp(learned.log_p), np.exp(exact.log_p)
    assert np.abs(p - q).max() < 0.05 * q.max()
    half = Box((-4.5, -2.5), (0.0, 5.0))  # the left component and half of the top one: 1/4 + 1/4
    assert abs(exact_density(pipeline, half, 40).mass() - 0.5) < 1e-3


def test_the_field_is_the_marginal_velocity():
    """On CondOT at t = 0, x = ε, so u_0(x) = E[z] − E[ε | x] = E[z] − x: the mixture's mean is
    0.25 (−2, 0) + 0.25 (2, 0) + 0.5 (0, 2) = (0, 1)."""
    pipeline = fmcore.Pipeline.open(ORACLE)
    points, velocity = velocity_on_grid(pipeline, 0.0, Box((-3.0, -2.0), (3.0, 4.0)), 5)
    assert points.shape == velocity.shape == (25, 2)
    assert np.allclose(velocity, np.array([0.0, 1.0]) - points, atol=1e-5)


def test_pictures_are_reproducible_byte_for_byte(tmp_path):
    settings = PlotSettings(**SMALL, only=("samples", "trajectories", "field"))
    for out in ("a", "b"):
        make_report(ORACLE, tmp_path / out, settings=settings)
    for name in ("samples.png", "trajectories.png", "field.png", "report.md", "index.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_an_oracle_config_needs_out_and_draws_the_exact_density_beside(tmp_path):
    result = invoke("plot", ORACLE)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "--out DIR" in result.output
    result = invoke("plot", ORACLE, "--out", tmp_path, "--only", "density", "--only", "samples",
                    "--resolution", "24", "-n", "200")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["density.png", "samples.png"]
    md = (tmp_path / "report.md").read_text()
    assert "(exact: " in md and "200 points of the exact distribution" in md
    assert "| steps trained | none: an exact oracle needs no training |" in md
    assert png_size(tmp_path / "density.png")[0] > 1.6 * png_size(tmp_path / "samples.png")[1]


def test_images_give_a_grid_per_class_and_skip_the_plane_figures(tmp_path_factory, tmp_path):
    run = train(tmp_path_factory, "digits", {
        "data": {"name": "digits"}, "network": {"name": "mlp", "width": 16, "depth": 1},
        "integrator": {"name": "euler", "steps": 2}, "train": {"steps": 2, "batch_size": 16}})
    report = make_report(run, tmp_path, settings=PlotSettings(**SMALL))
    assert [f.name for f in report.figures] == ["samples", "loss"]
    assert "10 samples per class, one row per class, beside the data" in report.figures[0].caption
    width, height = png_size(tmp_path / "samples.png")
    assert width > 1.5 * height  # two square grids side by side
    md = (tmp_path / "report.md").read_text()
    for figure in ("density", "trajectories", "field"):
        assert f"- {figure}: drawn for 2-D points only; these data have event shape [1, 8, 8]" in md


@pytest.mark.parametrize("dim", [1, 3])
def test_other_dimensions_draw_histograms_or_two_coordinates(tmp_path_factory, tmp_path, dim):
    data = tmp_path / "x.npy"
    np.save(data, np.random.default_rng(0).normal(size=(256, dim)).astype(np.float32))
    run = train(tmp_path_factory, f"d{dim}", {
        "data": {"name": "npy", "path": str(data)}, "network": {"name": "mlp", "width": 8, "depth": 1},
        "integrator": {"name": "euler", "steps": 2}, "train": {"steps": 2, "batch_size": 16}})
    report = make_report(run, tmp_path / "out", settings=PlotSettings(**SMALL, only=("samples", "field")))
    caption = report.figures[0].caption
    assert ("as histograms of density" in caption) == (dim == 1)
    assert ("only the first two of 3 coordinates are shown" in caption) == (dim == 3)
    assert report.notes == (f"field: drawn for 2-D points only; these data have event shape [{dim}]",)
    png_size(tmp_path / "out" / "samples.png")


def one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_bad_input_gives_one_line_errors(moons_run, tmp_path, monkeypatch):
    one_line_error(invoke("plot", tmp_path / "nowhere"), "nowhere: no such run directory or config file")
    one_line_error(invoke("plot", tmp_path), "is not a run directory")
    one_line_error(invoke("plot", moons_run, "--times", "0,1.5"), "--times", "1.5 is outside [0, 1]")
    one_line_error(invoke("plot", moons_run, "--times", "0,half"), "--times 0,half", "comma-separated")
    one_line_error(invoke("plot", moons_run, "--set", "path.name=vp"), "can change only its integrator")
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    one_line_error(invoke("plot", moons_run, "--out", tmp_path / "pictures"), "pip install 'fmcore[plot]'")
    assert not (tmp_path / "pictures").exists()


def test_metrics_and_eval_files_are_checked_line_by_line(tmp_path):
    metrics = tmp_path / "metrics.jsonl"
    metrics.write_text('{"step": 1, "loss": 2.0}\n{"step": 2, "loss": 1.5, "lr": 0.1}\n{"step": 3, "lo')
    assert [r["step"] for r in read_metrics(metrics)] == [1, 2]  # a last line cut short by a crash
    metrics.write_text('{"step": 1, "loss": 2.0}\nnot json\n{"step": 3, "loss": 1.0}\n')
    with pytest.raises(RunError, match=r"metrics.jsonl, line 2: not a JSON record"):
        read_metrics(metrics)
    metrics.write_text('{"step": 1, "loss": "low"}\n')
    with pytest.raises(RunError, match=r"line 1: step and loss must be numbers"):
        read_metrics(metrics)
    evaluation = tmp_path / "eval.json"
    assert read_evaluation(evaluation) is None
    evaluation.write_text('{"metrics": {"nll": {"value": "high"}}}')
    with pytest.raises(RunError, match=r"eval.json: metrics.nll.value must be a number"):
        read_evaluation(evaluation)


def test_the_loss_ema_is_bias_corrected():
    assert np.allclose(smooth(np.array([3.0, 3.0, 3.0]), 0.9), 3.0)
    assert np.allclose(smooth(np.array([0.0, 2.0]), 0.5), [0.0, (0.5 * 2.0) / (1 - 0.25)])
    assert np.allclose(smooth(np.array([1.0, 5.0]), 0.0), [1.0, 5.0])


def test_settings_refuse_bad_values():
    with pytest.raises(fmcore.FmcoreError, match=r"times \(--times\): -0.1 is outside \[0, 1\]"):
        PlotSettings(times=(-0.1, 0.5))
    with pytest.raises(fmcore.FmcoreError, match="no figure 'densty'"):
        PlotSettings(only=("densty",))
    with pytest.raises(fmcore.FmcoreError, match="resolution must be a positive integer"):
        PlotSettings(resolution=0)
