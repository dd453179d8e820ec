"""``cfm`` with ``sigma`` (Tong et al.'s extra noise): the widened path's field is its minimiser."""

from __future__ import annotations

import attrs
import pytest
import torch

import fmcore
from fmcore import Coefficients, GaussianPath
from fmcore_oracles import GaussianMixture, OracleField

MIXTURE = GaussianMixture(torch.tensor([[-1.5, 0.0], [1.5, 0.5]]), torch.tensor([0.04, 0.09]))


@attrs.frozen
class Widened(GaussianPath):
    """``α_t`` and ``√(σ_t² + s²)`` of ``base``: the path whose marginals the extra noise gives."""

    base: GaussianPath
    s: float

    def schedule(self, t):
        c = self.base.schedule(t)
        sigma = (c.sigma**2 + self.s**2).sqrt()
        return Coefficients(c.alpha, sigma, c.d_alpha, c.sigma * c.d_sigma / sigma)

    @property
    def t_max(self) -> float:  # type: ignore[override]
        return self.base.t_max


class Velocity(torch.nn.Module):
    """An oracle field's velocity as a network."""

    def __init__(self, field: OracleField):
        super().__init__()
        self.field = field

    def forward(self, x, t, cond=None):
        return self.field.velocity(x, t)


@pytest.mark.parametrize("name", ["condot", "vp"])
def test_posterior_noise_term_is_the_widened_conditional_velocity(name):
    """``α̇ z + σ̇ σ (x − α z)/(σ² + s²)`` is the conditional velocity ``α̇ z + σ̇' (x − α z)/σ'`` of
    the widened path, ``σ' = √(σ² + s²)`` differentiated by autograd."""
    path, s = fmcore.create("path", name), 0.1
    t = torch.linspace(0.02, path.t_max, 7, dtype=torch.float64).requires_grad_(True)
    c = path.schedule(t)
    wide_sigma = (c.sigma**2 + s**2).sqrt()
    (d_wide,) = torch.autograd.grad(wide_sigma.sum(), t)
    z, x = torch.randn(7, 2, dtype=torch.float64), torch.randn(7, 2, dtype=torch.float64)
    offset = x - c.alpha[:, None] * z
    claimed = c.d_sigma * c.sigma / (c.sigma**2 + s**2)
    assert torch.allclose(claimed[:, None] * offset, (d_wide / wide_sigma)[:, None] * offset, atol=1e-12)


@pytest.mark.parametrize("name", ["condot", "vp"])
def test_the_widened_field_minimises_the_loss_with_extra_noise(name):
    """``L(f) = const + E‖f − u*‖²``: with ``sigma = 0.1`` the widened path's exact field has the
    lower loss, with ``sigma = 0`` the path's own (same draws for both fields)."""
    path = fmcore.create("path", name)
    target = fmcore.create("target", "velocity")
    fields = {s: Velocity(OracleField(MIXTURE, Widened(path, s) if s else path)) for s in (0.0, 0.1)}
    z = MIXTURE.sample(20_000, generator=torch.Generator().manual_seed(1))
    for sigma in (0.0, 0.1):
        objective = fmcore.create("objective", "cfm", sigma=sigma)
        losses = {}
        for s, network in fields.items():
            torch.manual_seed(0)
            losses[s] = objective.loss(fmcore.Field(network, target, path), fmcore.Batch(z)).item()
        other = 0.1 - sigma
        assert losses[sigma] < losses[other] - 1e-3, f"sigma = {sigma}: losses {losses}"


def test_extra_noise_needs_the_velocity_target():
    config = {"data": {"name": "moons", "n": 64}, "target": {"name": "noise"},
              "objective": {"name": "cfm", "sigma": 0.1}}
    with pytest.raises(fmcore.ConfigError, match=r"\$\.objective.*sigma = 0.1 .* needs the velocity target"):
        fmcore.load_config(config)
    with pytest.raises(fmcore.ConfigError, match=r"\$\.objective\.sigma"):
        fmcore.load_config({"data": {"name": "moons"}, "objective": {"name": "cfm", "sigma": -0.1}})
