"""Exact oracle fields: the marginal velocity, score and density of Gaussian mixtures and finite data.

Each identity is checked against something computed independently: the continuity equation, the
marginalization trick by Monte Carlo, autograd of the exact density, torch.distributions, the
nearest data point, the moments of ODE samples, and the pipeline with no training.
"""

from __future__ import annotations

import pytest
import torch
from torch.distributions import Categorical, MixtureSameFamily, MultivariateNormal

import fmcore
from fmcore import BuildContext, ConfigError, Field, TrainingError
from fmcore_oracles import EmpiricalDistribution, GaussianMixture, OracleField
from fmcore_oracles.oracle_gmm import OracleGMMSettings

F64 = torch.float64
MEANS = torch.tensor([[-2.0, 0.5], [1.5, 1.0], [0.5, -2.0]], dtype=F64)
COVARIANCES = torch.tensor([[[0.3, 0.1], [0.1, 0.2]], [[0.5, -0.2], [-0.2, 0.4]], [[0.1, 0.0], [0.0, 0.6]]],
                           dtype=F64)
WEIGHTS = torch.tensor([0.5, 0.3, 0.2], dtype=F64)


@pytest.fixture(scope="module")
def path():
    return fmcore.create("path", "condot")


@pytest.fixture(scope="module")
def gmm():
    return GaussianMixture(MEANS, COVARIANCES, WEIGHTS)


def _marginal_points(gmm, path, t: float, n: int, seed: int) -> torch.Tensor:
    """``n`` draws ``x_t = α z + σ ε`` from the marginal ``p_t``."""
    gen = torch.Generator().manual_seed(seed)
    z = gmm.sample(n, generator=gen)
    return path.sample(z, torch.full((n,), t, dtype=F64), torch.randn(n, 2, generator=gen, dtype=F64))


def _divergence(f, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    out = f(x)
    return sum(torch.autograd.grad(out[:, i].sum(), x, retain_graph=True)[0][:, i] for i in range(x.shape[1]))


def test_gmm_velocity_solves_the_continuity_equation(gmm, path):
    """``∂_t log p_t = −∇·u_t − u_t·∇ log p_t``: finite difference in ``t``, autograd in ``x``."""
    field = OracleField(gmm, path)
    h = 1e-5
    for t in (0.05, 0.3, 0.6, 0.9, 0.98):
        x = _marginal_points(gmm, path, t, 200, seed=int(100 * t))
        times = torch.full((200,), t, dtype=F64)
        d_log_p = (gmm.log_prob(path, x, times + h) - gmm.log_prob(path, x, times - h)) / (2 * h)
        u = field.velocity(x, times)
        rhs = -_divergence(lambda y: field.velocity(y, times), x) - (u * field.score(x, times)).sum(1)
        assert torch.allclose(d_log_p, rhs, rtol=1e-6, atol=1e-6), (t, (d_log_p - rhs).abs().max())


def test_gmm_velocity_is_the_posterior_average_of_conditional_velocities(gmm, path):
    """``u_t(x) = E[u_t(x|z) | x_t = x]``, by self-normalised importance sampling ``z ~ p_data``,
    weights ``p_t(x|z)``, compared within 5 standard errors."""
    gen = torch.Generator().manual_seed(1)
    z = gmm.sample(100_000, generator=gen)
    field = OracleField(gmm, path)
    for t in (0.25, 0.5, 0.8):
        c = path.coefficients(torch.tensor(t, dtype=F64), z[:1])
        alpha, sigma = c.alpha[0], c.sigma[0]
        for x in _marginal_points(gmm, path, t, 5, seed=2):
            weights = torch.softmax(-(x - alpha * z).square().sum(1) / (2 * sigma**2), 0)[:, None]
            conditional = path.velocity(x.expand_as(z), z, torch.full((len(z),), t, dtype=F64))
            estimate = (weights * conditional).sum(0)
            error = (weights.square() * (conditional - estimate).square()).sum(0).sqrt()
            exact = field.velocity(x[None], t)[0]
            assert ((estimate - exact).abs() <= 5 * error).all(), (t, estimate, exact, error)


def test_gmm_density_matches_torch_distributions(gmm, path):
    """``p_t = Σ_k w_k N(α μ_k, α² Σ_k + σ² I)``, and ``p_0`` is the prior."""
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(3), dtype=F64) * 2
    for t in (0.0, 0.3, 0.7, 1.0):
        alpha, sigma = t, 1 - t
        covariances = alpha**2 * COVARIANCES + sigma**2 * torch.eye(2, dtype=F64)
        components = MultivariateNormal(alpha * MEANS, covariances)
        reference = MixtureSameFamily(Categorical(WEIGHTS), components).log_prob(x)
        assert torch.allclose(gmm.log_prob(path, x, t), reference, atol=1e-10)
    assert torch.allclose(gmm.log_prob(path, x, 0.0), path.prior_log_prob(x), atol=1e-12)


def test_gmm_score_is_the_gradient_of_the_log_density(gmm, path):
    field = OracleField(gmm, path)
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(4), dtype=F64) * 2
    for t in (0.0, 0.1, 0.5, 0.9, 1.0):
        y = x.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(gmm.log_prob(path, y, t).sum(), y)
        assert torch.allclose(field.score(x, t), grad, atol=1e-10), t
        if t < 1:  # where σ > 0: ε̂ = −σ ∇ log p_t and x = α x̂₁ + σ ε̂
            assert torch.allclose(field.noise(x, t), -(1 - t) * grad, atol=1e-10)
            assert torch.allclose(t * field.data(x, t) + (1 - t) * field.noise(x, t), x, atol=1e-10)


def test_gmm_field_is_finite_at_both_ends(gmm, path):
    """At ``t = 0``: ``x̂₁ = E[z]``, ``u = E[z] − x``. At ``t = 1`` (``σ = 0``): ``x̂₁ = x``, ``ε̂ = 0``."""
    field = OracleField(gmm, path)
    x = torch.randn(20, 2, generator=torch.Generator().manual_seed(5), dtype=F64) * 3
    mean = WEIGHTS @ MEANS
    assert torch.allclose(field.data(x, 0.0), mean.expand_as(x), atol=1e-12)
    assert torch.allclose(field.velocity(x, 0.0), mean - x, atol=1e-12)
    assert torch.allclose(field.data(x, 1.0), x, atol=1e-12)
    assert torch.equal(field.noise(x, 1.0), torch.zeros_like(x))
    assert torch.allclose(field.velocity(x, 1.0), x, atol=1e-12)


def test_oracle_fields_are_finite_at_the_ends_of_every_gaussian_path(gmm):
    """``α = 0`` at ``t_min`` and ``σ = 0`` (or nearly) at ``t_max`` break no formula."""
    empirical = EmpiricalDistribution(gmm.sample(300, generator=torch.Generator().manual_seed(12)))
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(13), dtype=F64) * 3
    for name in fmcore.get_registry().names("path"):
        path = fmcore.create("path", name)
        if not isinstance(path, fmcore.GaussianPath):
            continue
        for distribution in (gmm, empirical):
            field = OracleField(distribution, path)
            for t in field.time_range:
                for answer in (field.velocity(x, t), field.score(x, t), field.data(x, t), field.noise(x, t)):
                    assert torch.isfinite(answer).all(), (name, type(distribution).__name__, t)


def test_empirical_oracle_of_a_large_sample_agrees_with_the_gmm_oracle(gmm, path):
    points = gmm.sample(40_000, generator=torch.Generator().manual_seed(6))
    empirical, exact = OracleField(EmpiricalDistribution(points), path), OracleField(gmm, path)
    for t in (0.3, 0.5):
        x = _marginal_points(gmm, path, t, 200, seed=7)  # 200 × 40 000 pairs: several chunks
        assert (empirical.velocity(x, t) - exact.velocity(x, t)).abs().max() < 0.1, t
        assert (empirical.data(x, t) - exact.data(x, t)).abs().max() < 0.05, t


def test_empirical_oracle_is_the_same_in_any_chunking(path):
    gen = torch.Generator().manual_seed(8)
    points, x = torch.randn(500, 2, generator=gen, dtype=F64), torch.randn(30, 2, generator=gen, dtype=F64)
    whole = EmpiricalDistribution(points).posterior(path, x, 0.7)
    chunked = EmpiricalDistribution(points, chunk_elements=30 * 7).posterior(path, x, 0.7)
    assert torch.allclose(whole.data, chunked.data, atol=1e-12)
    assert torch.allclose(whole.score, chunked.score, atol=1e-10)


def test_empirical_posterior_snaps_to_the_nearest_point_near_data_time(path):
    gen = torch.Generator().manual_seed(9)
    points = torch.randn(300, 2, generator=gen, dtype=F64)
    x = 1.5 * torch.randn(40, 2, generator=gen, dtype=F64)
    field = OracleField(EmpiricalDistribution(points), path)
    for t in (1 - 1e-6, 1.0):
        nearest = points[torch.cdist(x, t * points).argmin(1)]
        assert torch.allclose(field.data(x, t), nearest, atol=1e-9), t
        assert torch.isfinite(field.velocity(x, t)).all(), t
    assert torch.equal(field.noise(x, 1.0), torch.zeros_like(x))
    assert torch.allclose(field.data(x, 0.0), points.mean(0).expand_as(x), atol=1e-12)


def test_heun_on_the_oracle_velocity_samples_a_gaussian(path):
    """One Gaussian: the ODE of the exact velocity carries ``N(0, I)`` to ``N(μ, Σ)``."""
    mean = torch.tensor([1.0, -0.5], dtype=F64)
    cov = torch.tensor([[0.5, 0.3], [0.3, 0.8]], dtype=F64)
    field = OracleField(GaussianMixture(mean[None], cov[None]), path)
    n = 10_000
    x0 = path.sample_prior((n, 2), generator=torch.Generator().manual_seed(10), dtype=F64)
    x1 = fmcore.create("integrator", "heun", steps=30).sample(field, x0).x
    mean_error = (x1.mean(0) - mean).abs()
    assert (mean_error < 5 * (cov.diagonal() / n).sqrt()).all(), mean_error
    cov_se = ((cov.diagonal()[:, None] * cov.diagonal()[None] + cov.square()) / n).sqrt()
    assert ((x1.T.cov() - cov).abs() < 5 * cov_se).all(), x1.T.cov()


def test_oracle_networks_sample_untrained_and_refuse_training():
    moons = {"name": "moons", "n": 1000}
    config = {"data": moons, "network": {"name": "oracle-data", "data": moons},
              "integrator": {"name": "heun", "steps": 20}, "train": {"device": "cpu"}}
    pipe = fmcore.Pipeline.from_config(config)
    samples = pipe.sample(400)
    assert samples.shape == (400, 2) and samples.dtype == torch.float32
    assert torch.cdist(samples, pipe.dataset.x).min(1).values.max() < 0.1  # it memorises the data
    with pytest.raises(TrainingError, match="network 'oracle-data' has no trainable parameters"):
        pipe.train()
    config["network"] = {"name": "oracle-gmm", "means": [[-2.0, 0.0], [2.0, 0.0]], "stds": [[0.5], [0.5]],
                         "weights": [1.0, 3.0]}
    samples = fmcore.Pipeline.from_config(config).sample(2000)
    assert abs((samples[:, 0] > 0).double().mean() - 0.75) < 0.05
    assert abs(samples[samples[:, 0] > 0].std(0) - 0.5).max() < 0.05


def test_oracle_network_predicts_each_target_exactly(path):
    """Read through any target that works on the path, the oracle network gives the exact field."""
    exact = OracleField(OracleGMMSettings().mixture(), path)
    x = torch.randn(64, 2, generator=torch.Generator().manual_seed(11), dtype=F64) * 2
    t = torch.linspace(0.1, 0.9, 64, dtype=F64)
    for name in fmcore.get_registry().names("target"):
        target = fmcore.create("target", name)
        if target.unsupported(path):
            continue
        net = fmcore.create("network", "oracle-gmm", context=BuildContext((2,), path=path, target=target))
        field = Field(net, target, path)
        assert torch.allclose(field.velocity(x, t), exact.velocity(x, t), atol=1e-9), name
        assert torch.allclose(field.score(x, t), exact.score(x, t), atol=1e-9), name


def test_oracle_networks_refuse_what_they_cannot_serve(path):
    velocity = fmcore.create("target", "velocity")
    with pytest.raises(ConfigError, match="needs a Gaussian path"):
        fmcore.create("network", "oracle-gmm", context=BuildContext((2,), path=object(), target=velocity))
    with pytest.raises(ConfigError, match=r"event shape \[2\] but the data set has event shape \[3\]"):
        fmcore.create("network", "oracle-data", context=BuildContext((3,), path=path, target=velocity))


@pytest.mark.parametrize(("settings", "message"), [
    ({"means": [[0.0, 0.0], [1.0]]}, "means: every row must have the same length"),
    ({"means": [[0.0, 0.0]] * 3}, r"stds must be \[K, 1\] or \[K, D\]"),
    ({"stds": [[0.5], [-0.1]]}, "stds must be positive"),
    ({"weights": [1.0, 0.0]}, "weights must be positive"),
    ({"weights": [1.0]}, r"weights must be \[K\] = \[2\]"),
    ({"covariances": [[[1.0, 2.0], [2.0, 1.0]]] * 2}, "positive definite"),
    ({"covariances": [[[1.0, 0.5], [0.0, 1.0]]] * 2}, "symmetric"),
    ({"covariances": [[[1.0]]] * 2}, r"covariances must be \[K, D, D\]"),
])
def test_oracle_gmm_settings_are_validated(settings, message):
    with pytest.raises(ConfigError, match=message):
        fmcore.create("network", "oracle-gmm", **settings)


@pytest.mark.parametrize("target", ["velocity", "score", "noise", "data", "v"])
def test_every_target_samples_the_oracle_to_finite_points(target, tmp_path):
    cfg = {"data": {"name": "moons", "n": 100}, "target": {"name": target},
           "network": {"name": "oracle-gmm"}, "integrator": {"name": "heun", "steps": 20}}
    pipe = fmcore.Pipeline.from_config(cfg)
    assert torch.isfinite(pipe.sample(200)).all()
    with pytest.raises(TrainingError):
        pipe.train(tmp_path / "run")
    assert not (tmp_path / "run").exists()  # refused before anything was written
