"""Fixed-step integrators: measured convergence order, NFE, trajectories, no host syncs."""

from __future__ import annotations

import pytest
import torch

import fmcore
from fmcore.testing import LinearDecayField, LogisticField, convergence_order

STEPS = [8, 16, 32, 64]


def _errors(name, field, x0):
    errors = []
    for steps in STEPS:
        solution = fmcore.create("integrator", name, steps=steps).sample(field, x0)
        errors.append((solution.x - field.exact(x0)).abs().max().item())
    return errors


ORDERS = [("euler", 1), ("midpoint", 2), ("heun", 2), ("rk4", 4)]


@pytest.mark.parametrize(("name", "order"), ORDERS)
def test_order_on_linear_decay(name, order):
    field = LinearDecayField(fmcore.create("path", "condot"), rate=2.0)
    x0 = torch.randn(16, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    observed = convergence_order(_errors(name, field, x0), STEPS)
    assert abs(observed - order) < 0.1, f"{name}: order {observed:.3f}, expected {order}"


@pytest.mark.parametrize(("name", "order"), ORDERS)
def test_order_on_nonlinear_time_dependent_ode(name, order):
    field = LogisticField(fmcore.create("path", "condot"))
    x0 = torch.linspace(0.05, 0.95, 12, dtype=torch.float64).reshape(6, 2)
    observed = convergence_order(_errors(name, field, x0), STEPS)
    assert abs(observed - order) < 0.15, f"{name}: order {observed:.3f}, expected {order}"


@pytest.mark.parametrize(("name", "stages"), [("euler", 1), ("midpoint", 2), ("heun", 2), ("rk4", 4)])
def test_nfe_and_trajectory(name, stages):
    path = fmcore.create("path", "condot")
    counted = []

    class Counting(LinearDecayField):
        def velocity(self, x, t, cond=None):
            counted.append(t.shape)
            assert t.shape == (x.shape[0],)
            return super().velocity(x, t, cond)

    x0 = torch.randn(4, 2)
    solution = fmcore.create("integrator", name, steps=10).sample(Counting(path), x0, trajectory=True)
    assert solution.nfe == 10 * stages == len(counted)
    assert solution.trajectory.shape == (11, 4, 2)
    assert torch.equal(solution.trajectory[0], x0) and torch.equal(solution.trajectory[-1], solution.x)
    assert torch.allclose(solution.times, torch.linspace(0, 1, 11))


@pytest.mark.parametrize(("name", "path", "nfe"), [
    ("heun", "condot", 10),
    *((name, "vp", 5) for name in ("dpm-solver-1", "dpm-solver-2m", "dpm-solver-3m")),
    ("dpm-solver-2s", "vp", 10),
    ("euler-maruyama", "condot", 5),
    ("predictor-corrector", "condot", 10),
])
def test_step_loop_does_not_synchronise(monkeypatch, name, path, nfe):
    """No .item()/.tolist()/.cpu()/.numpy() on tensors once integration has begun (DESIGN.md §7)."""
    calls = []

    class Spy(LinearDecayField):
        def velocity(self, x, t, cond=None):
            calls.append(1)
            return super().velocity(x, t, cond)

    def guard(method):
        def guarded(self, *args, **kwargs):
            if calls:  # the grid is prepared before the first evaluation; afterwards nothing may sync
                raise AssertionError(f"{method.__name__}() inside the integration loop")
            return method(self, *args, **kwargs)

        return guarded

    for method in ("item", "cpu", "tolist", "numpy"):
        monkeypatch.setattr(torch.Tensor, method, guard(getattr(torch.Tensor, method)))
    solution = fmcore.create("integrator", name, steps=5).sample(
        Spy(fmcore.create("path", path)), torch.randn(3, 2), generator=torch.Generator().manual_seed(0))
    assert solution.nfe == len(calls) == nfe


@pytest.mark.parametrize("grid", ["logsnr", "edm", "cosine"])
def test_non_uniform_grids_keep_the_order(grid):
    """On a non-uniform grid the steps shrink together, so the order of convergence is kept."""
    field = LogisticField(fmcore.create("path", "condot"))
    x0 = torch.linspace(0.05, 0.95, 12, dtype=torch.float64).reshape(6, 2)
    errors, steps = [], [32, 64, 128, 256]  # asymptotic regime: log-SNR grids take big middle steps
    for k in steps:
        solver = fmcore.create("integrator", "heun", steps=k, grid={"name": grid})
        errors.append((solver.sample(field, x0).x - field.exact(x0)).abs().max().item())
    assert abs(convergence_order(errors, steps) - 2) < 0.1


def test_grids_space_points_as_documented():
    vp, condot = fmcore.create("path", "vp"), fmcore.create("path", "condot")
    logsnr = fmcore.create("time-grid", "logsnr").times(8, vp, vp.t_min, vp.t_max)
    c = vp.schedule(logsnr)
    lam = torch.log(c.alpha / c.sigma)
    assert torch.allclose(lam[1:] - lam[:-1], (lam[-1] - lam[0]) / 8 * torch.ones(8, dtype=torch.float64))
    edm = fmcore.create("time-grid", "edm", rho=7.0).times(6, condot, 0.0, 1.0)
    s = ((1 - edm) / edm)[1:-1] ** (1 / 7)  # s = σ/α on CondOT, interior points
    assert torch.allclose(s[1:] - s[:-1], (s[1] - s[0]).expand(4), rtol=1e-8)
    explicit = fmcore.create("time-grid", "explicit", points=[0.0, 0.2, 0.9, 1.0]).times(99, vp, 0.0, vp.t_max)
    assert explicit.tolist() == [0.0, 0.2, 0.9, vp.t_max]
    with pytest.raises(fmcore.ConfigError, match=r"\$\.integrator\.grid: times must increase"):
        fmcore.load_config({"data": {"name": "moons"},
                            "integrator": {"name": "euler", "grid": {"name": "explicit", "points": [0.0, 0.5, 0.4]}}})
