"""Likelihoods by the instantaneous change of variables, the adaptive integrators, and ``fmcore likelihood``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import fmcore
from fmcore import FmcoreError, create
from fmcore.cli import cli
from fmcore.likelihood import AugmentedField, ExactDivergence, bits_per_dim, estimator, log_prob, sample_with_log_prob
from fmcore_oracles import GaussianMixture, OracleField

PATH = create("path", "condot")
MIXTURE = GaussianMixture(torch.tensor([[-2.0, 0.0], [1.5, 1.0]]), torch.tensor([[0.3, 0.5], [0.6, 0.2]]),
                          torch.tensor([0.3, 0.7]))
FIELD = OracleField(MIXTURE, PATH)


def _points(n: int = 24, seed: int = 0) -> torch.Tensor:
    """Data points, and a few off the data."""
    gen = torch.Generator().manual_seed(seed)
    return torch.cat([MIXTURE.sample(n, generator=gen), 3 * torch.randn(4, 2, generator=gen, dtype=torch.float64)])


def _oracle_log_prob(integrator, x, divergence=None):
    with torch.no_grad():
        return log_prob(FIELD, x, integrator, divergence or ExactDivergence())


@pytest.mark.parametrize(("name", "settings", "tol"), [
    ("rk4", {"steps": 40}, 1e-5),
    ("dopri5", {"rtol": 1e-7, "atol": 1e-7}, 1e-4),
])
def test_log_prob_matches_the_exact_marginal(name, settings, tol):
    x = _points()
    got = _oracle_log_prob(create("integrator", name, **settings), x)
    assert got.shape == (x.shape[0],) and got.dtype == torch.float64
    assert torch.allclose(got, MIXTURE.log_prob(PATH, x, 1.0), atol=tol, rtol=0)


def test_sample_with_log_prob_matches_the_exact_marginal_and_the_reverse_solve():
    x0 = torch.randn(24, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    rk4 = create("integrator", "rk4", steps=40)
    with torch.no_grad():
        x1, log_p = sample_with_log_prob(FIELD, x0, rk4, ExactDivergence())
    assert torch.allclose(log_p, MIXTURE.log_prob(PATH, x1, 1.0), atol=1e-5, rtol=0)
    assert torch.allclose(_oracle_log_prob(rk4, x1), log_p, atol=1e-5, rtol=0)


@pytest.mark.parametrize("probe", ["rademacher", "gaussian"])
def test_hutchinson_agrees_with_exact_within_monte_carlo_error(probe):
    x = MIXTURE.sample(200, generator=torch.Generator().manual_seed(2))
    euler = create("integrator", "euler", steps=10)
    exact = _oracle_log_prob(euler, x)
    gen = torch.Generator().manual_seed(3)
    one = _oracle_log_prob(euler, x, estimator("hutchinson", x, probes=1, probe=probe, generator=gen)) - exact
    many = _oracle_log_prob(euler, x, estimator("hutchinson", x, probes=16, probe=probe, generator=gen)) - exact
    for error in (one, many):
        assert abs(error.mean()) < 4 * error.std() / math.sqrt(len(error)) + 1e-9
    assert many.std() < 0.5 * one.std()  # variance shrinks like 1/P


def test_adaptive_converges_as_rtol_shrinks_and_counts_nfe():
    x = _points(12)
    exact = MIXTURE.log_prob(PATH, x, 1.0)
    errors, nfes = [], []
    for tol in (1e-3, 1e-5, 1e-7):
        solver = create("integrator", "adaptive", method="dopri5", rtol=tol, atol=tol)
        augmented = AugmentedField(FIELD, ExactDivergence(), (2,), reverse=True)
        start = torch.cat([x, torch.zeros(len(x), 1, dtype=x.dtype)], 1)
        with torch.no_grad():
            solution = solver.sample(augmented, start)
        got = PATH.prior_log_prob(solution.x[:, :2]) - solution.x[:, 2]
        errors.append(float((got - exact).abs().max()))
        nfes.append(solution.nfe)
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-4, errors
    assert nfes[0] < nfes[1] < nfes[2] and nfes[0] > 6, nfes


@pytest.mark.parametrize("method", ["dopri8", "bosh3", "adaptive_heun"])
def test_adaptive_methods_sample_and_report_a_trajectory(method):
    solver = create("integrator", "adaptive", method=method, rtol=1e-4, atol=1e-4, trajectory_points=8)
    x0 = torch.randn(16, 2, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    plain = solver.sample(FIELD, x0)
    traced = solver.sample(FIELD, x0, trajectory=True)
    assert traced.trajectory.shape == (9, 16, 2) and torch.allclose(traced.times[[0, -1]], torch.tensor(
        [0.0, 1.0], dtype=torch.float64))
    assert torch.allclose(plain.x, traced.x, atol=1e-3) and plain.nfe > 0
    assert torch.allclose(traced.trajectory[0], x0)


def test_bits_per_dim_of_uniform_dequantized_data_is_the_bit_depth():
    dim = 3 * 4 * 4
    uniform = torch.full((5,), -dim * math.log(2.0))  # log p of the uniform density on [-1, 1]^D
    assert torch.allclose(bits_per_dim(uniform, (3, 4, 4), levels=256), torch.full((5,), 8.0))
    assert torch.allclose(bits_per_dim(torch.tensor([-2 * math.log(2)]), (2,)), torch.tensor([1.0]))


def test_the_augmented_field_refuses_sde_and_denoising_solvers():
    augmented = AugmentedField(FIELD, ExactDivergence(), (2,))
    with pytest.raises(FmcoreError, match="ODE integrator"):
        augmented.score(torch.zeros(3, 3), torch.zeros(3))
    with pytest.raises(FmcoreError, match="divergence must be"):
        estimator("trace", torch.zeros(2, 2))
    for name, settings in [("rk4", {"grid": {"name": "logsnr"}}), ("euler-maruyama", {}), ("dpm-solver-2m", {})]:
        if name in fmcore.get_registry().names("integrator"):
            with pytest.raises(FmcoreError, match="needs a Gaussian path"):
                _oracle_log_prob(create("integrator", name, **settings), _points(2))


@pytest.fixture(scope="module")
def moons(tmp_path_factory):
    """A small 2-D velocity model trained 300 steps on moons, saved as a run."""
    cfg = fmcore.load_config({"data": {"name": "moons", "n": 4000}, "network": {"name": "mlp", "width": 64},
                              "integrator": {"name": "rk4", "steps": 10},
                              "train": {"steps": 300, "batch_size": 128, "lr": 3e-3, "log_every": 100,
                                        "checkpoint_every": 300}})
    out = tmp_path_factory.mktemp("runs") / "moons"
    fmcore.Pipeline.from_config(cfg).train(out)
    return fmcore.Pipeline.load(out), out


def test_trained_model_likelihood_is_finite_stable_and_prefers_data(moons):
    pipe, _ = moons
    data = create("dataset", "moons", n=200, seed=5).x
    far = 6 + torch.randn(50, 2, generator=torch.Generator().manual_seed(6))
    coarse = pipe.log_prob(data, steps=10)
    fine = pipe.log_prob(data, steps=20)
    assert torch.isfinite(coarse).all() and coarse.shape == (200,)
    assert abs(float(coarse.mean() - fine.mean())) < 0.05
    assert float(-fine.mean()) < float(-pipe.log_prob(far, steps=20).mean()) - 5
    adaptive = pipe.log_prob(data, integrator="dopri5")
    assert abs(float(adaptive.mean() - fine.mean())) < 0.05
    x, log_p = pipe.sample_with_log_prob(100, steps=20, seed=7)
    assert x.shape == (100, 2) and torch.allclose(pipe.log_prob(x, steps=20), log_p, atol=2e-2)
    with pytest.raises(FmcoreError, match="event shape"):
        pipe.log_prob(torch.zeros(3, 4))


def _cli(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_cli_likelihood_and_its_errors(moons, tmp_path):
    pipe, run = moons
    data = tmp_path / "points.npy"
    np.save(data, create("dataset", "moons", n=64, seed=8).x.numpy())
    out = tmp_path / "logp.npy"
    result = _cli("likelihood", run, "--data", data, "--steps", 10, "-o", out)
    assert result.exit_code == 0, result.output
    assert "NLL" in result.output and "bits/dim" in result.output
    saved = np.load(out)
    assert saved.shape == (64,) and np.allclose(saved, pipe.log_prob(torch.from_numpy(np.load(data)), steps=10))
    report = json.loads(_cli("likelihood", run, "--data", data, "--divergence", "hutchinson", "--probes", 4,
                             "--seed", 1, "--json").output)
    assert report["n"] == 64 and math.isclose(report["bits_per_dim"], report["nll_nats"] / (2 * math.log(2)))
    assert abs(report["nll_nats"] + float(saved.mean())) < 0.2
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((5, 3), dtype=np.float32))
    nans = tmp_path / "nans.npy"
    np.save(nans, np.array([[0.0, 1.0], [np.nan, 0.0]]))
    for args, message in [
        (("--data", tmp_path / "missing.npy"), "no such file"),
        (("--data", wrong), "does not match the run"),
        (("--data", nans), "NaN"),
        (("--data", wrong, "-o", tmp_path / "out.txt"), "must end in .npy"),
    ]:
        result = _cli("likelihood", run, *args)
        assert result.exit_code == 1 and message in result.output, result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
