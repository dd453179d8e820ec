"""Couplings of data and noise (`independent`, `ot`, `sinkhorn`) and their use by `cfm`."""

from __future__ import annotations

import itertools
import math
from typing import ClassVar

import attrs
import numpy as np
import pytest
import torch

import fmcore
from fmcore import Batch, BuildContext, Component, ConfigError, Field
from tests.test_combinations import UniformBridge


def cost(z: torch.Tensor, noise: torch.Tensor, index: torch.Tensor) -> float:
    """Total squared distance Σ_i ‖z_i − ε_π(i)‖² of the pairs."""
    return float((z - noise[index]).square().sum())


def is_permutation(index: torch.Tensor) -> bool:
    return torch.equal(index.sort().values, torch.arange(len(index)))


def draws(seed: int, *shape: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Data (shifted, so that pairing matters) and noise, float64."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(shape, generator=gen, dtype=torch.float64) + 1.5
    return z, torch.randn(shape, generator=gen, dtype=torch.float64)


def test_builtin_couplings_are_listed_and_cfm_defaults_to_independent():
    assert {"independent", "ot", "sinkhorn"} <= set(fmcore.get_registry().names("coupling"))
    cfg = fmcore.load_config({"data": {"name": "moons"}})
    assert cfg.to_dict()["objective"]["coupling"] == {"name": "independent"}


def test_independent_is_the_identity_and_draws_nothing():
    z, noise = draws(0, 10, 3)
    state = torch.get_rng_state()
    assert fmcore.create("coupling", "independent").pair(z, noise) is None
    assert torch.equal(torch.get_rng_state(), state)


@pytest.mark.parametrize(("size", "max_size"), [(7, 256), (100, 16), (101, 10), (64, 2)])
def test_ot_is_a_permutation_on_any_split(size, max_size):
    z, noise = draws(1, size, 2)
    assert is_permutation(fmcore.create("coupling", "ot", max_size=max_size).pair(z, noise))


@pytest.mark.parametrize("seed", range(4))
def test_ot_in_one_block_is_the_exact_optimum(seed):
    z, noise = draws(seed, 7, 2)
    best = min(cost(z, noise, torch.tensor(p)) for p in itertools.permutations(range(7)))
    found = cost(z, noise, fmcore.create("coupling", "ot").pair(z, noise))
    assert found == pytest.approx(best, rel=1e-12)


def test_large_blocks_are_solved_by_the_network_simplex_to_the_same_optimum(monkeypatch):
    from scipy.optimize import linear_sum_assignment

    from fmcore_couplings import exact_ot

    z, noise = draws(4, exact_ot.SIMPLEX_FROM + 8, 2)
    costs = (z[:, None] - noise[None]).square().sum(-1).numpy()
    rows = np.arange(len(z))
    lsa = linear_sum_assignment(costs)[1]
    simplex = exact_ot.assignment(costs)
    assert is_permutation(torch.from_numpy(simplex))
    assert costs[rows, simplex].sum() == pytest.approx(costs[rows, lsa].sum(), rel=1e-12)
    index = fmcore.create("coupling", "ot", max_size=len(z)).pair(z, noise)
    assert cost(z, noise, index) == pytest.approx(costs[rows, lsa].sum(), rel=1e-12)
    import ot  # a plan that is not a vertex (the simplex stopped early) falls back to scipy

    monkeypatch.setattr(ot, "emd", lambda a, b, m, **_: (np.full(m.shape, 1 / len(m) ** 2), {"result_code": 1}))
    assert np.array_equal(exact_ot.assignment(costs), lsa)


def test_ot_on_sub_batches_costs_less_than_independent_and_more_than_one_block():
    z, noise = draws(2, 512, 2)
    torch.manual_seed(0)
    costs = [cost(z, noise, fmcore.create("coupling", "ot", max_size=m).pair(z, noise)) for m in (16, 128, 512)]
    independent = cost(z, noise, torch.arange(512))
    assert independent > costs[0] > costs[1] > costs[2]


def test_ot_with_labels_pairs_within_each_class_only():
    z, noise = draws(3, 90, 2)
    labels = torch.arange(90) % 3
    torch.manual_seed(0)
    index = fmcore.create("coupling", "ot", max_size=8).pair(z, noise, labels)
    assert is_permutation(index) and torch.equal(labels[index], labels)


@pytest.mark.parametrize("name", ["ot", "sinkhorn"])
def test_pairs_are_reproducible_under_a_seed(name):
    z, noise = draws(4, 200, 2)
    coupling = fmcore.create("coupling", name, max_size=32)
    runs = []
    for seed in (5, 5, 6):
        torch.manual_seed(seed)
        runs.append(coupling.pair(z, noise))
    assert torch.equal(runs[0], runs[1]) and not torch.equal(runs[0], runs[2])


def test_sinkhorn_plan_has_the_uniform_marginals():
    z, noise = draws(5, 50, 2)
    plan = fmcore.create("coupling", "sinkhorn", tolerance=1e-6).plan(z, noise)
    uniform = torch.full((50,), 1 / 50, dtype=torch.float64)
    assert torch.allclose(plan.sum(1), uniform, rtol=1e-10) and torch.allclose(plan.sum(0), uniform, rtol=1e-6)


def test_sinkhorn_tends_to_ot_as_reg_vanishes_and_to_independent_as_it_grows():
    z, noise = draws(6, 7, 2)
    n = 7
    costs = ((z[:, None] - noise[None]) ** 2).sum(-1)
    optimum = fmcore.create("coupling", "ot").pair(z, noise)

    def plan(reg: float) -> torch.Tensor:
        return fmcore.create("coupling", "sinkhorn", reg=reg, iterations=5000, tolerance=1e-8).plan(z, noise)

    sharp, flat = plan(1e-3), plan(1e3)
    assert torch.equal(sharp.argmax(1), optimum)
    assert float(n * (sharp * costs).sum()) == pytest.approx(cost(z, noise, optimum), rel=1e-3)
    assert torch.allclose(flat, torch.full((n, n), 1 / n**2, dtype=torch.float64), rtol=1e-2)
    transport = [float((plan(reg) * costs).sum()) for reg in (1e-2, 1e-1, 1.0, 10.0)]
    assert transport == sorted(transport)


def test_sinkhorn_draws_each_pair_from_its_row_of_the_plan():
    """On 100 copies of 4 points and 4 noise draws the plan is the 4-point plan spread evenly, so the
    drawn pairs of the copies estimate π(j | i) = 4 π_ij of the 4 points."""
    z, noise = draws(7, 4, 2)
    sinkhorn = fmcore.create("coupling", "sinkhorn", reg=0.5, max_size=400, tolerance=1e-8)
    torch.manual_seed(0)
    rows = torch.arange(400) % 4
    drawn = torch.cat([4 * rows + sinkhorn.pair(z.repeat(100, 1), noise.repeat(100, 1)) % 4 for _ in range(10)])
    frequencies = torch.bincount(drawn, minlength=16).reshape(4, 4) / 1000
    assert torch.allclose(frequencies.double(), 4 * sinkhorn.plan(z, noise), atol=0.05)


@pytest.mark.parametrize(("table", "place", "message"), [
    ({"name": "ot", "max_size": 1}, "$.objective.coupling.max_size", "must be > 1"),
    ({"name": "ot", "max_size": 2.5}, "$.objective.coupling.max_size", "expected an integer"),
    ({"name": "sinkhorn", "reg": 0.0}, "$.objective.coupling.reg", "must be > 0"),
    ({"name": "sinkhorn", "reg": -1}, "$.objective.coupling.reg", "must be > 0"),
    ({"name": "sinkhorn", "iterations": 0}, "$.objective.coupling.iterations", "must be > 0"),
    ({"name": "ot", "reg": 1.0}, "$.objective.coupling.reg", "unknown setting"),
    ({"name": "sinkorn"}, "$.objective.coupling.name", "did you mean 'sinkhorn'"),
])
def test_bad_coupling_settings_are_one_clear_line(table, place, message):
    with pytest.raises(ConfigError) as info:
        fmcore.load_config({"data": {"name": "moons"}, "objective": {"name": "cfm", "coupling": table}})
    (issue,) = info.value.issues
    assert issue.place == place and message in issue.message, issue
    assert "\n" not in str(info.value)


@attrs.frozen
class Reverse:
    """A test coupling: z_i with ε_{B−1−i}; remembers the labels it was given."""

    seen: ClassVar[list] = []

    def pair(self, z, noise, cond=None):
        Reverse.seen.append(cond)
        return torch.arange(z.shape[0] - 1, -1, -1)


@pytest.fixture
def extra_components():
    fmcore.reset_registry()
    fmcore.register_plugin(type("Extra", (), {
        "fmcore_couplings": staticmethod(lambda: [Component("reverse", Reverse)]),
        "fmcore_paths": staticmethod(lambda: [Component("uniform-bridge", UniformBridge)]),
    })(), "extra")
    yield
    fmcore.reset_registry()


def test_cfm_regresses_on_the_coupled_noise_and_passes_the_labels(extra_components):
    path, target = fmcore.create("path", "vp"), fmcore.create("target", "velocity")
    net = fmcore.create("network", "mlp", width=16, depth=1, context=BuildContext(event_shape=(2,), num_classes=3))
    z, labels = draws(8, 12, 2)[0].float(), torch.arange(12) % 3
    torch.manual_seed(0)
    loss = fmcore.create("objective", "cfm", coupling="reverse").loss(Field(net, target, path), Batch(z, labels))
    torch.manual_seed(0)
    t = torch.rand(12) * (path.t_max - path.t_min) + path.t_min
    noise = path.sample_noise(z).flip(0)
    x_t = path.sample(z, t, noise)
    expected = (net(x_t, t, labels) - target.regression_target(path, z, noise, x_t, t)).square().mean()
    assert torch.allclose(loss, expected) and Reverse.seen[-1] is labels


@pytest.mark.parametrize("coupling", ["ot", "sinkhorn"])
def test_cfm_trains_with_a_coupling_on_every_path(extra_components, coupling):
    target = fmcore.create("target", "velocity")
    net = fmcore.create("network", "mlp", width=16, depth=1, context=BuildContext(event_shape=(2,)))
    z = draws(9, 64, 2)[0].float()
    objective = fmcore.create("objective", "cfm", coupling={"name": coupling, "max_size": 32})
    for name in fmcore.get_registry().names("path"):
        loss = objective.loss(Field(net, target, fmcore.create("path", name)), Batch(z))
        loss.backward()
        assert torch.isfinite(loss), name


def test_a_run_trains_and_samples_with_ot_from_its_config():
    cfg = fmcore.load_config({
        "data": {"name": "8gaussians", "n": 256}, "objective": {"name": "cfm", "coupling": "ot"},
        "network": {"name": "mlp", "width": 16, "depth": 1}, "integrator": {"name": "euler", "steps": 4},
        "train": {"steps": 3, "batch_size": 64, "log_every": 3, "ema_decay": 0.0},
    })
    pipe = fmcore.Pipeline.from_config(cfg)
    assert math.isfinite(pipe.train().final_loss)
    assert torch.isfinite(pipe.sample(16)).all()


def straightness(field: Field, n: int = 2000, steps: int = 50) -> float:
    """S = ∫₀¹ E‖v_t(x_t) − (x_1 − x_0)‖² dt along the learned flow from x_0 ~ N(0, I) (Euler, so
    x_1 − x_0 = h Σ_k v_k). S = 0 exactly for straight paths at constant speed; S equals the
    kinetic energy E ∫ ‖v‖² dt minus E ‖x_1 − x_0‖²."""
    x = x0 = torch.randn(n, 2, generator=torch.Generator().manual_seed(1))
    velocities = []
    with torch.no_grad():
        for k in range(steps):
            velocities.append(field.velocity(x, torch.full((n,), k / steps)))
            x = x + velocities[-1] / steps
    return float(torch.stack([(v - (x - x0)).square().sum(1).mean() for v in velocities]).mean())


def test_ot_coupling_straightens_the_learned_flow():
    data = fmcore.create("dataset", "8gaussians", n=4000).x
    path, target = fmcore.create("path", "condot"), fmcore.create("target", "velocity")
    measured = {}
    for coupling in ("independent", "ot"):
        torch.manual_seed(0)
        net = fmcore.create("network", "mlp", width=64, depth=2, context=BuildContext(event_shape=(2,)))
        field, objective = Field(net, target, path), fmcore.create("objective", "cfm", coupling=coupling)
        optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
        for _ in range(200):
            loss = objective.loss(field, Batch(data[torch.randint(len(data), (128,))]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        measured[coupling] = straightness(field)
    assert measured["ot"] < 0.1 * measured["independent"], measured
