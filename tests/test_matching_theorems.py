"""CFM = FM + const and DSM = SM + const: equal gradients, with the exact oracle as reference."""

from __future__ import annotations

import pytest
import torch

import fmcore
from fmcore import BuildContext
from fmcore_oracles import EmpiricalDistribution, OracleField

F64 = torch.float64
M = 100_000  # Monte-Carlo draws shared by both losses


@pytest.fixture(scope="module")
def setting():
    path = fmcore.create("path", "condot")
    points = fmcore.create("dataset", "moons", n=64, seed=2).x.to(F64)
    oracle = OracleField(EmpiricalDistribution(points), path)
    gen = torch.Generator().manual_seed(0)
    z = points[torch.randint(len(points), (M,), generator=gen)]
    t = torch.rand(M, generator=gen, dtype=F64) * 0.98  # CFM's targets are bounded; keep σ ≥ 0.02
    eps = torch.randn(M, 2, generator=gen, dtype=F64)
    x_t = path.sample(z, t, eps)
    return path, oracle, z, t, eps, x_t


def _network(seed):
    torch.manual_seed(seed)
    settings = {"width": 16, "depth": 2, "time_embedding_dim": 8, "max_frequency": 10.0}
    return fmcore.create("network", "mlp", context=BuildContext(event_shape=(2,)), **settings).double()


def _gradient(loss, net):
    grads = torch.autograd.grad(loss, list(net.parameters()))
    return torch.cat([g.flatten() for g in grads])


def _compare(loss_a, loss_b, seed):
    """Both losses' values and gradients at one network."""
    net = _network(seed)
    a, b = loss_a(net), loss_b(net)
    return a.item(), b.item(), _gradient(a, net), _gradient(b, net)


def test_cfm_and_fm_have_the_same_gradient(setting):
    path, oracle, z, t, eps, x_t = setting
    with torch.no_grad():
        marginal = oracle.velocity(x_t, t)  # u_t(x_t), exact
    conditional = z - eps  # u_t(x_t | z) on CondOT
    fm = lambda net: (net(x_t, t) - marginal).square().sum(1).mean()  # noqa: E731
    cfm = lambda net: (net(x_t, t) - conditional).square().sum(1).mean()  # noqa: E731
    constants = []
    for seed in (0, 1):
        l_fm, l_cfm, g_fm, g_cfm = _compare(fm, cfm, seed)
        constants.append(l_cfm - l_fm)
        assert (g_cfm - g_fm).norm() < 0.03 * g_fm.norm(), (g_cfm - g_fm).norm() / g_fm.norm()
    assert constants[0] > 0.1 and abs(constants[0] - constants[1]) < 0.01 * constants[0]
    # a regression target whose conditional mean is not u_t (here z + ε) gives another gradient
    wrong = lambda net: (net(x_t, t) - (z + eps)).square().sum(1).mean()  # noqa: E731
    _, _, g_fm, g_wrong = _compare(fm, wrong, 0)
    assert (g_wrong - g_fm).norm() > 0.5 * g_fm.norm()


def test_dsm_and_score_matching_have_the_same_gradient(setting):
    path, oracle, z, t, eps, x_t = setting
    sigma = (1 - t)[:, None]
    with torch.no_grad():
        score = oracle.score(x_t, t)  # ∇ log p_t(x_t), exact
    # λ = σ²:  SM = E ‖σ s_θ − σ ∇log p_t‖²,  DSM = E ‖σ s_θ + ε‖²
    sm = lambda net: (sigma * net(x_t, t) - sigma * score).square().sum(1).mean()  # noqa: E731
    dsm = lambda net: (sigma * net(x_t, t) + eps).square().sum(1).mean()  # noqa: E731
    for seed in (0, 1):
        _, _, g_sm, g_dsm = _compare(sm, dsm, seed)
        assert (g_dsm - g_sm).norm() < 0.03 * g_sm.norm(), (g_dsm - g_sm).norm() / g_sm.norm()
