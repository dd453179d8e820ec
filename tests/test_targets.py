"""Targets: exact conversions between every pair, on every Gaussian path, in float64."""

from __future__ import annotations

import itertools

import pytest
import torch

import fmcore
from fmcore import GaussianPath, get_registry

TARGETS = ["velocity", "score", "noise", "data", "v"]


def _paths():
    return [p.name for p in get_registry().all("path")
            if isinstance(fmcore.create("path", p.name), GaussianPath)]


def _interior(path, n=64):
    gen = torch.Generator().manual_seed(0)
    span = path.t_max - path.t_min
    t = path.t_min + span * (0.1 + 0.8 * torch.rand(n, generator=gen, dtype=torch.float64))
    x = torch.randn(n, 3, generator=gen, dtype=torch.float64) * path.prior_std
    pred = torch.randn(n, 3, generator=gen, dtype=torch.float64)
    return t, x, pred


def _convert(path, source, target, pred, x, t):
    """A prediction of ``source`` re-expressed as a prediction of ``target``."""
    data, noise = source.to_data(path, pred, x, t), source.to_noise(path, pred, x, t)
    return target.regression_target(path, data, noise, x, t)


@pytest.mark.parametrize("path_name", _paths())
@pytest.mark.parametrize(("a", "b"), list(itertools.permutations(TARGETS, 2)))
def test_conversions_round_trip(path_name, a, b):
    path = fmcore.create("path", path_name)
    source, target = fmcore.create("target", a), fmcore.create("target", b)
    t, x, pred = _interior(path)
    there = _convert(path, source, target, pred, x, t)
    back = _convert(path, target, source, there, x, t)
    scale = pred.abs().max()
    assert torch.allclose(back, pred, rtol=1e-10, atol=1e-10 * scale), (back - pred).abs().max()
    for quantity in ("to_velocity", "to_score", "to_data", "to_noise"):
        one = getattr(source, quantity)(path, pred, x, t)
        other = getattr(target, quantity)(path, there, x, t)
        assert torch.allclose(one, other, rtol=1e-9, atol=1e-9 * one.abs().max()), quantity


@pytest.mark.parametrize("path_name", _paths())
def test_pair_reconstructs_x(path_name):
    """x = α x̂₁ + σ ε̂ for any prediction of any target."""
    path = fmcore.create("path", path_name)
    t, x, pred = _interior(path)
    c = path.coefficients(t, x)
    for name in TARGETS:
        target = fmcore.create("target", name)
        rebuilt = c.alpha * target.to_data(path, pred, x, t) + c.sigma * target.to_noise(path, pred, x, t)
        assert torch.allclose(rebuilt, x, atol=1e-10 * x.abs().max()), name


def test_velocity_decoding_is_finite_at_both_ends():
    path = fmcore.create("path", "condot")
    velocity = fmcore.create("target", "velocity")
    x = torch.randn(4, 2, dtype=torch.float64)
    v = torch.randn(4, 2, dtype=torch.float64)
    for end in (0.0, 1.0):
        t = torch.full((4,), end, dtype=torch.float64)
        assert torch.isfinite(velocity.to_data(path, v, x, t)).all()
        assert torch.isfinite(velocity.to_noise(path, v, x, t)).all()
    zero = torch.zeros(4, dtype=torch.float64)
    assert torch.allclose(velocity.to_score(path, v, x, zero), -x)  # at t = 0, p_0 = N(0, I)


def test_v_prediction_matches_salimans_and_ho_on_trig():
    """On the trig path v = σ z − α ε is the velocity divided by π/2."""
    path = fmcore.create("path", "trig")
    v, velocity = fmcore.create("target", "v"), fmcore.create("target", "velocity")
    t, x, pred = _interior(path)
    gen = torch.Generator().manual_seed(1)
    z, eps = (torch.randn(64, 3, generator=gen, dtype=torch.float64) for _ in range(2))
    x_t = path.sample(z, t, eps)
    c = path.coefficients(t, z)
    assert torch.allclose(v.regression_target(path, z, eps, x_t, t), c.sigma * z - c.alpha * eps)
    u = velocity.regression_target(path, z, eps, x_t, t)
    assert torch.allclose(u, torch.pi / 2 * v.regression_target(path, z, eps, x_t, t), atol=1e-12)


def test_only_velocity_works_on_a_non_gaussian_path():
    class Bridge:
        """A non-Gaussian path: x_t = t z + (1 − t) x0 with x0 uniform on [−1, 1]^D."""

        t_min, t_max = 0.0, 1.0

    path = Bridge()
    assert fmcore.create("target", "velocity").unsupported(path) is None
    for name in ("score", "noise", "data", "v"):
        assert "needs a Gaussian path" in fmcore.create("target", name).unsupported(path)
