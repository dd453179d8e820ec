"""The CondOT path against DESIGN.md §1 and autograd, in float64."""

from __future__ import annotations

import torch

import fmcore


def _draw(batch=32):
    gen = torch.Generator().manual_seed(1)
    z = torch.randn(batch, 3, generator=gen, dtype=torch.float64)
    eps = torch.randn(batch, 3, generator=gen, dtype=torch.float64)
    t = 0.02 + 0.96 * torch.rand(batch, generator=gen, dtype=torch.float64)
    return z, eps, t


def test_schedule_and_endpoints():
    path = fmcore.create("path", "condot")
    t = torch.tensor([0.0, 0.25, 1.0], dtype=torch.float64)
    c = path.schedule(t)
    assert torch.equal(c.alpha, t) and torch.equal(c.sigma, 1 - t)
    assert torch.equal(c.d_alpha, torch.ones(3, dtype=torch.float64))
    assert torch.equal(c.d_sigma, -torch.ones(3, dtype=torch.float64))
    z, eps, _ = _draw(4)
    assert torch.equal(path.sample(z, torch.zeros(4, dtype=torch.float64), eps), eps)
    assert torch.equal(path.sample(z, torch.ones(4, dtype=torch.float64), eps), z)


def test_sample_velocity_score_match_formulas():
    path = fmcore.create("path", "condot")
    z, eps, t = _draw()
    tt = t[:, None]
    x = path.sample(z, t, eps)
    assert torch.allclose(x, tt * z + (1 - tt) * eps, atol=1e-15)
    # u_t(x|z) = (α̇ − σ̇ α/σ) z + (σ̇/σ) x = (z − x)/(1 − t) = z − ε
    assert torch.allclose(path.velocity(x, z, t), (z - x) / (1 - tt), atol=1e-12)
    assert torch.allclose(path.velocity(x, z, t), z - eps, atol=1e-12)
    # ∇ log p_t(x|z) = −(x − t z)/(1 − t)² = −ε/σ
    assert torch.allclose(path.score(x, z, t), -(x - tt * z) / (1 - tt) ** 2, atol=1e-12)
    assert torch.allclose(path.score(x, z, t), -eps / (1 - tt), atol=1e-10)


def test_velocity_is_time_derivative_of_sample_by_autograd():
    path = fmcore.create("path", "condot")
    z, eps, t = _draw()
    jac = torch.func.jacfwd(lambda s: path.sample(z, s, eps))(t)  # [B, D, B]
    dxdt = torch.einsum("bdb->bd", jac)
    assert torch.allclose(dxdt, path.velocity(path.sample(z, t, eps), z, t), atol=1e-12)


def test_score_is_gradient_of_gaussian_log_density():
    path = fmcore.create("path", "condot")
    z, eps, t = _draw()
    x = path.sample(z, t, eps).requires_grad_(True)
    tt = t[:, None]
    logp = torch.distributions.Normal(tt * z, 1 - tt).log_prob(x).sum()
    (grad,) = torch.autograd.grad(logp, x)
    assert torch.allclose(grad, path.score(x.detach(), z, t), atol=1e-10)


def test_sample_moments():
    path = fmcore.create("path", "condot")
    z = torch.tensor([[1.0, -2.0]], dtype=torch.float64).expand(200_000, 2)
    t = torch.full((200_000,), 0.3, dtype=torch.float64)
    x = path.sample(z, t, path.sample_noise(z, generator=torch.Generator().manual_seed(0)))
    assert torch.allclose(x.mean(0), 0.3 * z[0], atol=0.01)
    assert torch.allclose(x.std(0), torch.full((2,), 0.7, dtype=torch.float64), atol=0.01)


def test_prior_is_standard_normal():
    path = fmcore.create("path", "condot")
    x = path.sample_prior((100_000, 2), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert x.mean(0).abs().max() < 0.02 and (x.std(0) - 1).abs().max() < 0.02
    expected = torch.distributions.Normal(0.0, 1.0).log_prob(x[:5]).sum(1)
    assert torch.allclose(path.prior_log_prob(x[:5]), expected, atol=1e-12)


def test_scalar_time_is_broadcast():
    path = fmcore.create("path", "condot")
    z, eps, _ = _draw(5)
    assert torch.equal(path.sample(z, 0.5, eps), path.sample(z, torch.full((5,), 0.5, dtype=torch.float64), eps))
