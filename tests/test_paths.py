"""The built-in Gaussian paths and schedules against independent closed forms, DESIGN.md §1 and
autograd, in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import fmcore
from fmcore.cli import cli

F64 = torch.float64
KNOTS = {"alpha": [[0, 0], [0.5, 0.3], [1, 1]], "sigma": [[0, 1], [0.5, 0.8], [1, 0]]}


def big_b(tau, beta_min=0.1, beta_max=20.0):
    """Song et al.'s ∫₀^τ β for β(τ) = β_min + τ (β_max − β_min)."""
    return beta_min * tau + 0.5 * (beta_max - beta_min) * tau**2


def alpha_bar(tau, s=0.008):
    """Nichol & Dhariwal's ᾱ(τ) = f(τ)/f(0), f(τ) = cos²(π/2 · (τ + s)/(1 + s))."""
    f = lambda u: np.cos((u + s) / (1 + s) * np.pi / 2) ** 2  # noqa: E731
    return f(tau) / f(0.0)


# name, settings, t ↦ (α_t, σ_t) written independently of the plugins
REFERENCE = {
    "condot": ("condot", {}, lambda t: (t, 1 - t)),
    "polynomial": ("polynomial", {"n": 3}, lambda t: (t**3, 1 - t**3)),
    "polynomial-half": ("polynomial", {"n": 0.5}, lambda t: (np.sqrt(t), 1 - np.sqrt(t))),
    "trig": ("trig", {}, lambda t: (np.sin(np.pi * t / 2), np.cos(np.pi * t / 2))),
    "cosine": ("cosine", {}, lambda t: (np.sqrt(alpha_bar(1 - t)), np.sqrt(1 - alpha_bar(1 - t)))),
    "vp": ("vp", {}, lambda t: (np.exp(-big_b(1 - t) / 2), np.sqrt(1 - np.exp(-big_b(1 - t))))),
    "subvp": ("subvp", {}, lambda t: (np.exp(-big_b(1 - t) / 2), 1 - np.exp(-big_b(1 - t)))),
    "ve": ("ve", {}, lambda t: (np.ones_like(t), 0.01 * 5000 ** (1 - t))),
    "gaussian-trig": ("gaussian", {"schedule": "trig"},
                      lambda t: (np.sin(np.pi * t / 2), np.cos(np.pi * t / 2))),
    "gaussian-knots": ("gaussian", {"schedule": {"name": "knots", "alpha": [[0, 0], [1, 1]],
                                                 "sigma": [[0, 1], [1, 0]]}}, lambda t: (t, 1 - t)),
}


def make(case):
    name, settings, _ = REFERENCE[case]
    return fmcore.create("path", name, **settings)


def draw(path, batch=32):
    gen = torch.Generator().manual_seed(1)
    z = torch.randn(batch, 3, generator=gen, dtype=F64)
    eps = torch.randn(batch, 3, generator=gen, dtype=F64)
    t = path.t_min + (path.t_max - path.t_min) * (0.02 + 0.96 * torch.rand(batch, generator=gen, dtype=F64))
    return z, eps, t


@pytest.mark.parametrize("case", REFERENCE)
def test_alpha_sigma_match_closed_forms(case):
    path, formula = make(case), REFERENCE[case][2]
    t = np.array([0.03, 0.1, 0.37, 0.5, 0.83, 0.97])
    alpha, sigma = formula(t)
    c = path.schedule(torch.tensor(t, dtype=F64))
    np.testing.assert_allclose(c.alpha.numpy(), alpha, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c.sigma.numpy(), sigma, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", REFERENCE)
def test_velocity_is_time_derivative_of_sample(case):
    path = make(case)
    z, eps, t = draw(path)
    jac = torch.func.jacfwd(lambda s: path.sample(z, s, eps))(t)  # [B, D, B]
    dxdt = torch.einsum("bdb->bd", jac)
    x = path.sample(z, t, eps)
    assert torch.allclose(dxdt, path.velocity(x, z, t), rtol=1e-10, atol=1e-10)
    c = path.coefficients(t, z)
    assert torch.allclose(path.velocity(x, z, t), c.d_alpha * z + c.d_sigma * eps, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", REFERENCE)
def test_score_is_gradient_of_gaussian_log_density(case):
    path = make(case)
    z, eps, t = draw(path)
    c = path.coefficients(t, z)
    x = path.sample(z, t, eps).requires_grad_(True)
    (grad,) = torch.autograd.grad(torch.distributions.Normal(c.alpha * z, c.sigma).log_prob(x).sum(), x)
    assert torch.allclose(grad, path.score(x.detach(), z, t), rtol=1e-10, atol=1e-10)
    assert torch.allclose(path.score(x.detach(), z, t), -eps / c.sigma, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("case", REFERENCE)
def test_sample_has_mean_alpha_z_and_std_sigma(case):
    path, formula = make(case), REFERENCE[case][2]
    n, mid = 200_000, 0.5 * (path.t_min + path.t_max)
    z = torch.tensor([[1.0, -2.0]], dtype=F64).expand(n, 2)
    noise = path.sample_noise(z, generator=torch.Generator().manual_seed(0))
    x = path.sample(z, torch.full((n,), mid, dtype=F64), noise)
    alpha, sigma = (float(v) for v in formula(np.array(mid)))
    assert torch.allclose(x.mean(0), alpha * z[0], atol=0.01 * sigma)
    assert torch.allclose(x.std(0), torch.full((2,), sigma, dtype=F64), rtol=0.01)


@pytest.mark.parametrize("case", ["condot", "polynomial", "trig", "cosine", "gaussian-knots"])
def test_exact_ends(case):
    c = make(case).schedule(torch.tensor([0.0, 1.0], dtype=F64))
    assert c.alpha.tolist() == [0.0, 1.0] and c.sigma.tolist() == [1.0, 0.0]


def test_ranges_and_priors():
    expected = {"condot": (0, 1, 1), "polynomial": (0, 1, 1), "trig": (0, 1, 1), "cosine": (0, 0.999, 1),
                "vp": (0, 0.999, 1), "subvp": (0, 0.999, 1), "ve": (0, 1, 50), "gaussian-trig": (0, 1, 1)}
    for case, (t_min, t_max, prior_std) in expected.items():
        path = make(case)
        assert (path.t_min, path.t_max, path.prior_std) == (t_min, t_max, prior_std), case
    assert fmcore.create("path", "cosine", eps=0.0).t_max == 1.0
    assert fmcore.create("path", "vp", eps=1e-5).t_max == 1 - 1e-5


def test_cosine_is_singular_at_the_data_end():
    """σ ~ √(1 − t) at t = 1 (the reason for eps): σ̇ = −∞ at t = 1 and finite at t_max."""
    path = make("cosine")
    c = path.schedule(torch.tensor([path.t_max, 1.0], dtype=F64))
    assert c.d_sigma[1] == -math.inf and math.isfinite(c.d_sigma[0])
    assert float(c.sigma[0]) == pytest.approx(math.sqrt(1 - alpha_bar(1e-3)), rel=1e-9)
    assert float(c.sigma[0]) == pytest.approx(0.0064, abs=5e-5)


def test_vp_and_subvp_ends_are_approximate():
    tau_min, b_max = 1e-3, big_b(1.0)  # B(1) = (β_min + β_max)/2 = 10.05
    for name in ("vp", "subvp"):
        c = make(name).schedule(torch.tensor([0.0, 1 - tau_min], dtype=F64))
        assert float(c.alpha[0]) == pytest.approx(math.exp(-b_max / 2), rel=1e-12)
        assert float(c.alpha[0]) == pytest.approx(0.00657, abs=1e-5)  # only approximately noise
        assert float(c.alpha[1]) == pytest.approx(math.exp(-big_b(tau_min) / 2), rel=1e-12)
    vp, subvp = (make(name).schedule(torch.tensor([0.0, 1 - tau_min], dtype=F64)) for name in ("vp", "subvp"))
    assert float(vp.sigma[0]) == pytest.approx(0.999978, abs=1e-6)
    assert float(vp.sigma[1]) == pytest.approx(math.sqrt(-math.expm1(-big_b(tau_min))), rel=1e-9)
    assert float(vp.sigma[1]) == pytest.approx(0.010486, abs=1e-6)
    assert float(subvp.sigma[0]) == pytest.approx(0.999957, abs=1e-6)
    assert float(subvp.sigma[1]) == pytest.approx(1.0994e-4, rel=1e-4)


def test_vp_preserves_variance_and_matches_song():
    """Song et al. (2021), eq. 33: the VP perturbation kernel has mean coefficient
    exp(−¼τ²(β_max − β_min) − ½τβ_min) and variance 1 − exp(−½τ²(β_max − β_min) − τβ_min);
    sub-VP has the same mean and variance (1 − exp(−½τ²(β_max − β_min) − τβ_min))²."""
    lo, hi = 0.3, 12.0
    t = torch.linspace(0, 0.999, 101, dtype=F64)
    tau = (1 - t).numpy()
    mean = np.exp(-0.25 * tau**2 * (hi - lo) - 0.5 * tau * lo)
    var = 1 - np.exp(-0.5 * tau**2 * (hi - lo) - tau * lo)
    vp = fmcore.create("path", "vp", beta_min=lo, beta_max=hi).schedule(t)
    subvp = fmcore.create("path", "subvp", beta_min=lo, beta_max=hi).schedule(t)
    assert torch.allclose(vp.alpha**2 + vp.sigma**2, torch.ones_like(t), atol=1e-15)
    np.testing.assert_allclose(vp.alpha.numpy(), mean, rtol=1e-13)
    np.testing.assert_allclose(vp.sigma.numpy() ** 2, var, rtol=1e-11)
    np.testing.assert_allclose(subvp.alpha.numpy(), mean, rtol=1e-13)
    np.testing.assert_allclose(subvp.sigma.numpy() ** 2, var**2, rtol=1e-11)


def test_ve_prior_and_ends():
    path = make("ve")
    c = path.schedule(torch.tensor([0.0, 1.0], dtype=F64))
    assert float(c.sigma[0]) == pytest.approx(50.0, rel=1e-14)
    assert float(c.alpha[0] / c.sigma[0]) == pytest.approx(0.02, rel=1e-14)  # 1/σ_max: approximate noise
    assert float(c.sigma[1]) == pytest.approx(0.01, rel=1e-14)  # σ_min: approximate data
    x = path.sample_prior((100_000, 2), generator=torch.Generator().manual_seed(0), dtype=F64)
    assert (x.std(0) / 50 - 1).abs().max() < 0.01
    expected = torch.distributions.Normal(0.0, 50.0).log_prob(x[:5]).sum(1)
    assert torch.allclose(path.prior_log_prob(x[:5]), expected)


def test_cosine_matches_the_discrete_alpha_bar():
    """ᾱ_k = f(k/T)/f(0) of the discrete schedule with T = 1000 steps is α² at t = 1 − k/T."""
    steps = 1000
    k = np.arange(steps + 1)
    c = make("cosine").schedule(torch.tensor(1 - k / steps, dtype=F64))
    np.testing.assert_allclose(c.alpha.numpy() ** 2, alpha_bar(k / steps), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c.sigma.numpy() ** 2, 1 - alpha_bar(k / steps), rtol=1e-9, atol=1e-15)


def test_gaussian_on_the_vp_schedule_is_the_vp_path():
    cfg = fmcore.load_config({"data": {"name": "moons"},
                              "path": {"name": "gaussian", "schedule": {"name": "vp", "beta_max": 15.0}}})
    general, vp = cfg.path.build(), fmcore.create("path", "vp", beta_max=15.0)
    assert cfg.to_dict()["path"]["schedule"] == {"name": "vp", "beta_min": 0.1, "beta_max": 15.0, "eps": 1e-3}
    t = torch.linspace(vp.t_min, vp.t_max, 57, dtype=F64)
    for got, want in zip(attrs_values(general.schedule(t)), attrs_values(vp.schedule(t))):
        assert torch.equal(got, want)
    assert (general.t_min, general.t_max, general.prior_std) == (vp.t_min, vp.t_max, vp.prior_std)
    assert fmcore.create("path", "gaussian", schedule="ve").prior_std == 50.0


def attrs_values(c):
    return c.alpha, c.sigma, c.d_alpha, c.d_sigma


def knots(**settings):
    return fmcore.create("schedule", "knots", **{**KNOTS, **settings})


def test_knots_pass_through_their_knots():
    schedule = knots()
    t = torch.tensor([0.0, 0.5, 1.0], dtype=F64)
    c = schedule.schedule(t)
    assert torch.allclose(c.alpha, torch.tensor([0.0, 0.3, 1.0], dtype=F64), atol=1e-15)
    assert torch.allclose(c.sigma, torch.tensor([1.0, 0.8, 0.0], dtype=F64), atol=1e-15)
    two = knots(alpha=[[0, 0], [1, 1]], sigma=[[0, 1], [1, 0]]).schedule(torch.tensor([0.25], dtype=F64))
    assert float(two.alpha) == pytest.approx(0.25) and float(two.d_sigma) == pytest.approx(-1.0)


def test_knots_are_c1_and_their_derivative_is_exact():
    alpha = [[0, 0], [0.2, 0.05], [0.45, 0.5], [0.7, 0.6], [1, 1]]
    schedule = knots(alpha=alpha, sigma=[[0, 1], [0.3, 0.9], [0.6, 0.3], [1, 0]])
    for t_k in (0.2, 0.3, 0.45, 0.6, 0.7):
        at = torch.tensor([math.nextafter(t_k, 0), t_k], dtype=F64)  # left piece at s = 1, right at s = 0
        c = schedule.schedule(at)
        assert abs(float(c.d_alpha[0] - c.d_alpha[1])) < 1e-9 and abs(float(c.alpha[0] - c.alpha[1])) < 1e-12
        assert abs(float(c.d_sigma[0] - c.d_sigma[1])) < 1e-9 and abs(float(c.sigma[0] - c.sigma[1])) < 1e-12
    t = torch.linspace(0, 1, 401, dtype=F64).requires_grad_(True)
    c = schedule.schedule(t)
    (d_alpha,) = torch.autograd.grad(c.alpha.sum(), t, retain_graph=True)
    (d_sigma,) = torch.autograd.grad(c.sigma.sum(), t)
    assert torch.allclose(c.d_alpha, d_alpha, atol=1e-12) and torch.allclose(c.d_sigma, d_sigma, atol=1e-12)


def test_knots_are_monotone_where_the_data_are():
    """Steep then flat data, where an unconstrained cubic spline overshoots."""
    alpha = [[0, 0], [0.2, 0.01], [0.4, 0.02], [0.5, 0.9], [0.8, 0.95], [1, 1]]
    sigma = [[0, 1], [0.5, 0.98], [0.6, 0.1], [1, 0]]
    c = knots(alpha=alpha, sigma=sigma).schedule(torch.linspace(0, 1, 2001, dtype=F64))
    assert (c.alpha.diff() >= 0).all() and (c.d_alpha >= 0).all() and c.alpha.max() <= 1
    assert (c.sigma.diff() <= 0).all() and (c.d_sigma <= 0).all() and (c.sigma[:-1] > 0).all()
    bumpy = knots(alpha=[[0, 0], [0.3, 0.6], [0.6, 0.4], [1, 1]])
    bumpy = bumpy.schedule(torch.linspace(0, 1, 2001, dtype=F64))
    assert bumpy.alpha.max() <= 1 and bumpy.alpha[600:1201].max() <= 0.6  # no overshoot of the peak
    assert bumpy.alpha[600:1201].min() >= 0.4


def test_knots_on_a_sub_range():
    schedule = knots(alpha=[[0.1, 0], [0.9, 1]], sigma=[[0.1, 2.0], [0.5, 1.0], [0.9, 0.01]])
    assert (schedule.t_min, schedule.t_max, schedule.prior_std) == (0.1, 0.9, 2.0)
    path = fmcore.create("path", "gaussian", schedule={"name": "knots", "alpha": [[0.1, 0], [0.9, 1]],
                                                       "sigma": [[0.1, 2.0], [0.9, 0.01]]})
    assert (path.t_min, path.t_max, path.prior_std) == (0.1, 0.9, 2.0)
    c = schedule.schedule(torch.tensor([0.5], dtype=torch.float32))
    assert c.alpha.dtype == c.d_sigma.dtype == torch.float32


@pytest.mark.parametrize(
    ("change", "place", "message"),
    [
        ({"alpha": [[0, 0], [0.5, 0.3], [0.5, 1]]}, "alpha", "must increase strictly, got 0.5 after 0.5"),
        ({"alpha": [[0, 0]]}, "alpha", "needs at least 2 knots"),
        ({"alpha": [[0, 0], [1.5, 1]]}, "alpha", "must lie in [0, 1], got 1.5"),
        ({"alpha": [[0, 0], [1, "x"]]}, "alpha[1][1]", "expected a number"),
        ({"sigma": [[0, 1], [0.5, 0.0], [1, 0]]}, "sigma", "σ must be > 0 at every knot but the last"),
        ({"sigma": [[0, 1], [0.9, 0]]}, "sigma", "σ's knots must span the same times as α's, [0.0, 1.0]"),
        ({"sigma": None}, "sigma", "required setting is missing"),
    ],
)
def test_bad_knots_are_config_errors_at_their_place(change, place, message):
    table = {"name": "knots", **KNOTS, **change}
    table = {k: v for k, v in table.items() if v is not None}
    with pytest.raises(fmcore.ConfigError) as info:
        fmcore.load_config({"data": {"name": "moons"}, "path": {"name": "gaussian", "schedule": table}})
    (issue,) = info.value.issues
    assert issue.place == f"$.path.schedule.{place}" and message in issue.message, issue


@pytest.mark.parametrize(
    ("table", "place", "message"),
    [
        ({"name": "ve", "sigma_min": 5.0, "sigma_max": 1.0}, "$.path", "sigma_max (1.0) must exceed"),
        ({"name": "vp", "beta_min": 30.0}, "$.path", "beta_max (20.0) must be at least beta_min (30.0)"),
        ({"name": "subvp", "eps": 1.0}, "$.path.eps", "must be < 1"),
        ({"name": "polynomial", "n": 0}, "$.path.n", "must be > 0"),
        ({"name": "cosine", "s": 0.0}, "$.path.s", "must be > 0"),
        ({"name": "gaussian", "schedule": {"name": "ve", "sigma_max": 1e-3}}, "$.path.schedule", "exceed"),
        ({"name": "gaussian", "schedule": "vpp"}, "$.path.schedule.name", "did you mean 'vp'"),
    ],
)
def test_bad_settings_are_config_errors(table, place, message):
    with pytest.raises(fmcore.ConfigError) as info:
        fmcore.load_config({"data": {"name": "moons"}, "path": table})
    (issue,) = info.value.issues
    assert issue.place == place and message in issue.message, issue


def test_components_lists_every_path_and_schedule():
    paths = ["condot", "polynomial", "trig", "cosine", "vp", "subvp", "ve", "gaussian"]
    for kind, names in (("path", paths), ("schedule", [*paths[:-1], "knots"])):
        result = CliRunner().invoke(cli, ["components", kind])
        assert result.exit_code == 0, result.output
        listed = [line.split()[0] for line in result.output.splitlines()[1:]]
        assert listed == names
