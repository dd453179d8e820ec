"""SDE samplers: Euler–Maruyama and predictor–corrector with every diffusion, on exact oracle fields."""

from __future__ import annotations

import math

import pytest
import torch

import fmcore
from fmcore.testing import LinearDecayField
from fmcore_oracles.field import OracleField
from fmcore_oracles.gaussian_mixture import GaussianMixture
from tests.distances import wasserstein2

MEAN = torch.tensor([[1.0, -0.5]], dtype=torch.float64)
COV = torch.tensor([[[0.5, 0.2], [0.2, 0.3]]], dtype=torch.float64)
DIFFUSIONS = ["zero", "reverse", "sigma", {"name": "constant", "scale": 0.7}]


def _mixture() -> GaussianMixture:
    means = torch.tensor([[-2.0, 0.0], [2.0, 1.0], [0.0, -2.0]], dtype=torch.float64)
    return GaussianMixture(means, torch.tensor([0.3, 0.5, 0.2], dtype=torch.float64) ** 2,
                           torch.tensor([0.3, 0.5, 0.2]))


def _sample(name: str, path_name: str, distribution, n: int, seed: int = 0, **settings):
    path = fmcore.create("path", path_name)
    gen = torch.Generator().manual_seed(seed)
    x0 = path.sample_prior((n, 2), generator=gen, dtype=torch.float64)
    integrator = fmcore.create("integrator", name, **settings)
    return integrator.sample(OracleField(distribution, path), x0, generator=gen)


@pytest.mark.parametrize("name", ["euler-maruyama", "predictor-corrector"])
@pytest.mark.parametrize("diffusion", DIFFUSIONS, ids=str)
def test_gaussian_data_mean_and_covariance(name, diffusion):
    """Every diffusion (zero: the probability-flow ODE) gives N(μ, Σ) within MC error (n = 4000)."""
    x = _sample(name, "condot", GaussianMixture(MEAN, COV), 4000, diffusion=diffusion).x
    assert (x.mean(0) - MEAN[0]).abs().max() < 0.04  # 4 standard errors of the mean
    assert (torch.cov(x.T) - COV[0]).abs().max() < 0.04


@pytest.mark.parametrize("path", ["vp", "ve"])
def test_reverse_sde_reproduces_mixture_marginals(path):
    """Song et al.'s reverse SDE on VP and VE: W2 to exact mixture samples is at the level of two
    exact samples' W2 to each other (n = 800)."""
    mixture = _mixture()
    x = _sample("euler-maruyama", path, mixture, 800, steps=200).x
    exact = mixture.sample(800, generator=torch.Generator().manual_seed(1))
    baseline = wasserstein2(mixture.sample(800, generator=torch.Generator().manual_seed(2)).numpy(),
                            exact.numpy())
    assert wasserstein2(x.numpy(), exact.numpy()) < 1.5 * baseline


def _moment_error(x: torch.Tensor) -> float:
    """‖mean − μ‖ + ‖cov − Σ‖_F against the mixture's exact moments
    μ = Σ_k w_k μ_k and Σ = Σ_k w_k (Σ_k + μ_k μ_kᵀ) − μμᵀ."""
    mixture = _mixture()
    w = mixture.log_weights.exp()
    means = mixture.means
    covs = torch.einsum("kde,ke,kfe->kdf", mixture.eigenvectors, mixture.eigenvalues, mixture.eigenvectors)
    mean = w @ means
    second = torch.einsum("k,kde->de", w, covs + means[:, :, None] * means[:, None, :])
    cov = second - mean[:, None] * mean[None, :]
    return float((x.mean(0) - mean).norm() + (torch.cov(x.T) - cov).norm())


def test_corrector_improves_or_matches_predictor():
    """At equal predictor steps (coarse, K = 10) Langevin correction lowers the moment error on a
    mixture (measured on condot, n = 20000, seeds 0–3: EM 0.18–0.21, PC with 2 corrector steps 0.11–0.16)."""
    em = _sample("euler-maruyama", "condot", _mixture(), 20000, steps=10).x
    pc = _sample("predictor-corrector", "condot", _mixture(), 20000, steps=10, corrector_steps=2).x
    assert _moment_error(pc) <= _moment_error(em)


@pytest.mark.parametrize("name", ["euler-maruyama", "predictor-corrector"])
def test_seeded_reproducibility(name):
    mixture = _mixture()
    a, b = (_sample(name, "condot", mixture, 64, seed=5, steps=20).x for _ in range(2))
    c = _sample(name, "condot", mixture, 64, seed=6, steps=20).x
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)


@pytest.mark.parametrize(("name", "settings", "nfe"), [
    ("euler-maruyama", {}, 12),
    ("predictor-corrector", {}, 24),
    ("predictor-corrector", {"corrector_steps": 3}, 48),
    ("predictor-corrector", {"corrector_steps": 0}, 12),
])
def test_nfe_is_counted_exactly(name, settings, nfe):
    calls = []

    class Counting(OracleField):
        def velocity(self, x, t, cond=None):
            calls.append(1)
            return super().velocity(x, t, cond)

    path = fmcore.create("path", "condot")
    solution = fmcore.create("integrator", name, steps=12, **settings).sample(
        Counting(_mixture(), path), torch.randn(5, 2, dtype=torch.float64), trajectory=True)
    assert solution.nfe == len(calls) == nfe
    assert solution.trajectory.shape == (13, 5, 2) and solution.times.shape == (13,)


def test_probability_flow_is_euler_step_for_step():
    """Diffusion 'probability-flow' (= 'zero') without the final denoising is Euler's method exactly."""
    field = OracleField(_mixture(), fmcore.create("path", "trig"))
    x0 = torch.randn(50, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    sde = fmcore.create("integrator", "euler-maruyama", steps=30, diffusion="probability-flow",
                        denoise_final=False)
    euler = fmcore.create("integrator", "euler", steps=30)
    assert torch.equal(sde.sample(field, x0).x, euler.sample(field, x0).x)


def test_denoise_final_returns_the_data_prediction():
    field = OracleField(_mixture(), fmcore.create("path", "vp"))
    x0 = torch.randn(20, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    sde = fmcore.create("integrator", "euler-maruyama", steps=8)
    solution = sde.sample(field, x0, generator=torch.Generator().manual_seed(1), trajectory=True)
    before, t = solution.trajectory[-2], solution.times[-2].expand(20)
    assert torch.allclose(solution.x, field.data(before, t), atol=1e-10)


def test_reverse_diffusion_is_song_et_al():
    """VP: g² = β(1 − t); VE: g² = 2σ² log(σ_max/σ_min); finite (0) where α = 0 and where σ = 0."""
    reverse = fmcore.create("diffusion", "reverse")
    t = torch.linspace(0.0, 0.99, 12, dtype=torch.float64)
    vp = fmcore.create("path", "vp")
    beta = vp.beta_min + (vp.beta_max - vp.beta_min) * (1 - t)
    assert torch.allclose(reverse.g_squared(vp, t), beta, rtol=1e-9)
    ve = fmcore.create("path", "ve")
    expected = 2 * ve.schedule(t).sigma ** 2 * math.log(ve.sigma_max / ve.sigma_min)
    assert torch.allclose(reverse.g_squared(ve, t), expected, rtol=1e-9)
    condot = fmcore.create("path", "condot")
    ends = reverse.g_squared(condot, torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64))
    assert ends.tolist() == [0.0, pytest.approx(2.0), 0.0]  # 2(1 − t)/t inside


def test_non_gaussian_path_is_refused():
    class Flat:
        t_min, t_max = 0.0, 1.0

    field = LinearDecayField(Flat())
    with pytest.raises(ValueError, match="needs a Gaussian path"):
        fmcore.create("integrator", "euler-maruyama").sample(field, torch.randn(2, 2))
