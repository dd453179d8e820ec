"""DPM-Solver++ exponential integrators: orders on an exact oracle, the ends, NFE, no host syncs."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest
import torch

import fmcore
from fmcore.testing import convergence_order
from fmcore_integrators.dpm_solver import LogSNRSchedule
from fmcore_oracles import GaussianMixture, OracleField

SOLVERS = ["dpm-solver-1", "dpm-solver-2s", "dpm-solver-2m", "dpm-solver-3m"]
MIXTURE = GaussianMixture(torch.tensor([[-1.0, 0.5], [1.0, -0.5]]), torch.tensor([0.25, 0.16]),
                          torch.tensor([0.6, 0.4]))


def _x0() -> torch.Tensor:
    return torch.randn(8, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))


def _field(path: str) -> OracleField:
    return OracleField(MIXTURE, fmcore.create("path", path))


@functools.cache
def _reference(path: str) -> torch.Tensor:
    """The endpoint from :func:`_x0` by 3M with 240 log-SNR steps: its error is about 3% of the
    smallest error measured against it (checked against RK4 with 2000 steps: 6e-7 apart)."""
    return fmcore.create("integrator", "dpm-solver-3m", steps=240).sample(_field(path), _x0()).x


def _error(path: str, name: str, steps: int, **settings) -> float:
    solution = fmcore.create("integrator", name, steps=steps, **settings).sample(_field(path), _x0())
    return (solution.x - _reference(path)).abs().max().item()


@pytest.mark.parametrize("path", ["condot", "vp"])
@pytest.mark.parametrize(("name", "order", "steps"), [
    ("dpm-solver-1", 1, [10, 20, 40]),
    ("dpm-solver-2s", 2, [10, 20, 40]),
    ("dpm-solver-2m", 2, [10, 20, 40]),
    ("dpm-solver-3m", 3, [20, 40, 80]),
])
def test_order_on_oracle_mixture(path, name, order, steps):
    """Endpoint error against a fine reference on a 2-D mixture, default (log-SNR) grid."""
    observed = convergence_order([_error(path, name, k) for k in steps], steps)
    assert abs(observed - order) < 0.3, f"{name} on {path}: order {observed:.2f}, expected {order}"


def test_first_order_is_exact_when_the_data_prediction_is_constant():
    """DDIM integrates ``x̂₁`` exactly when it is constant along the flow: point-mass data. For a
    Gaussian ``N(μ, s² I)`` with ``s > 0`` it is not (``x̂₁`` moves with ``α``): the exact flow
    ``x_t = α_t μ + √(α_t² s² + σ_t²) ξ`` is only reached as the steps shrink."""
    mu = torch.tensor([[0.7, -1.2]], dtype=torch.float64)
    x0 = _x0()
    for path_name in ("condot", "vp"):
        path = fmcore.create("path", path_name)
        ends = path.schedule(torch.tensor([path.t_min, path.t_max], dtype=torch.float64))
        for variance, exact in ((1e-14, True), (0.5, False)):
            field = OracleField(GaussianMixture(mu, torch.tensor([variance])), path)
            scale = (ends.alpha**2 * variance + ends.sigma**2).sqrt()
            flow = ends.alpha[1] * mu + scale[1] * (x0 - ends.alpha[0] * mu) / scale[0]
            ddim = fmcore.create("integrator", "dpm-solver-1", steps=5).sample(field, x0).x
            error = (ddim - flow).abs().max()
            assert (error < 1e-6) == exact, f"{path_name}, s² = {variance}: error {error:.2e}"


def test_beats_heun_at_equal_nfe_on_a_sharp_mixture():
    """The issue's requirement, on the problem exponential integrators are made for: a diffusion (VP)
    path to data with sharp modes (8 Gaussians of std 0.05 on a ring of radius 2). At 10 and 20 field
    evaluations 2M and 3M on their default log-SNR grid beat Heun on every grid by at least 1.5×
    (measured: NFE 10 5.1e-2 / 6.7e-2 against Heun's best 1.2e-1; NFE 20 7.4e-3 / 6.5e-3 against
    2.0e-2). On CondOT, a nearly straight flow, Heun on a uniform grid is as good (docs/concepts.md)."""
    angles = torch.arange(8, dtype=torch.float64) * (torch.pi / 4)
    ring = GaussianMixture(2 * torch.stack([angles.cos(), angles.sin()], 1), torch.full((8,), 0.0025))
    field = OracleField(ring, fmcore.create("path", "vp"))
    x0 = torch.randn(64, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    reference = fmcore.create("integrator", "dpm-solver-3m", steps=500).sample(field, x0).x

    def error(name: str, steps: int, grid: str = "logsnr") -> float:
        x = fmcore.create("integrator", name, steps=steps, grid={"name": grid}).sample(field, x0).x
        return (x - reference).norm(dim=1).mean().item()

    for nfe in (10, 20):
        heun = min(error("heun", nfe // 2, grid) for grid in ("uniform", "logsnr", "edm", "cosine"))
        for name in ("dpm-solver-2m", "dpm-solver-3m"):
            assert error(name, nfe) < heun / 1.5, f"NFE {nfe}: {name} {error(name, nfe):.2e}, heun {heun:.2e}"


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("grid", ["uniform", "logsnr"])
def test_singular_ends_on_condot_stay_finite(name, grid):
    """On CondOT the first grid point has α = 0 (λ = −∞) and the last σ = 0 (λ = +∞)."""
    field = _field("condot")
    for steps in (1, 2, 3, 12):
        x = fmcore.create("integrator", name, steps=steps, grid={"name": grid}).sample(field, _x0()).x
        assert torch.isfinite(x).all(), f"{name}, {steps} steps on {grid}"
    one = fmcore.create("integrator", name, steps=1).sample(field, _x0()).x
    mean = field.data(_x0(), torch.zeros(8, dtype=torch.float64))  # one step from α = 0 to σ = 0: x̂₁
    assert torch.allclose(one, mean, atol=1e-12)


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize(("path", "grid"), [("condot", "uniform"), ("condot", "logsnr"), ("vp", "logsnr")])
def test_nfe_trajectory_and_determinism(name, path, grid):
    calls = []
    field = _field(path)

    class Counting(OracleField):
        def velocity(self, x, t, cond=None):
            assert t.shape == (x.shape[0],)
            calls.append(1)
            return super().velocity(x, t, cond)

    solver = fmcore.create("integrator", name, steps=7, grid={"name": grid})
    x0 = _x0()
    solution = solver.sample(Counting(MIXTURE, field.path), x0, trajectory=True)
    singular = 2 if path == "condot" else 0  # the 2s midpoint is skipped on the two singular steps
    assert solution.nfe == len(calls) == (14 - singular if name == "dpm-solver-2s" else 7)
    assert solution.trajectory.shape == (8, 8, 2) and solution.times.shape == (8,)
    assert torch.equal(solution.trajectory[0], x0) and torch.equal(solution.trajectory[-1], solution.x)
    assert solution.times[0] == field.time_range[0] and solution.times[-1] == field.time_range[1]
    assert torch.equal(solver.sample(field, x0).x, solution.x)


def test_lower_order_final():
    vp = _field("vp")
    schedule = LogSNRSchedule.on("dpm-solver-3m", vp, 6, fmcore.create("time-grid", "logsnr"))
    lower = fmcore.create("integrator", "dpm-solver-3m", steps=6)
    assert lower.step_orders(schedule) == [1, 2, 3, 3, 2, 1]
    full = fmcore.create("integrator", "dpm-solver-3m", steps=6, lower_order_final=False)
    assert full.step_orders(schedule) == [1, 2, 3, 3, 3, 3]


@pytest.mark.parametrize("name", SOLVERS)
def test_refuses_a_non_gaussian_path(name):
    field = SimpleNamespace(path=object(), time_range=(0.0, 1.0))
    with pytest.raises(ValueError, match=f"integrator '{name}' .* needs a Gaussian path"):
        fmcore.create("integrator", name, steps=4).sample(field, _x0())
