"""Checks of probability paths, schedules and targets: the path's derivatives against autograd, its
prior, and every target's conversions through it.

Each fails with an ``AssertionError`` that names the component, what was compared, the numbers and
the tolerance.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from fmcore.create import create
from fmcore.gaussian import GaussianPath
from fmcore.plugin_manager import get_registry
from fmcore.protocols import ProbabilityPath
from fmcore.testing.assertions import assert_close, assert_near
from fmcore.testing.points import DTYPES, check_placed, points


def reference_path() -> GaussianPath:
    """CondOT, the path other kinds are checked on."""
    return create("path", "condot")


def check_path(path: ProbabilityPath, label: str, device: str) -> None:
    """Shapes, dtypes and devices; ``d/dt x_t = u_t(x_t|z)`` by autograd; the prior's samples and
    log-density agree (:func:`check_prior`); every built-in target accepting the path converts
    through it (:func:`check_conversions`). A Gaussian path first has ``α̇, σ̇`` and the score checked
    against autograd (:func:`check_gaussian_schedule`)."""
    assert 0.0 <= path.t_min < path.t_max <= 1.0, f"{label}: bad time range [{path.t_min}, {path.t_max}]"
    for dtype in DTYPES:
        x0 = path.sample_prior((5, 2), device=device, dtype=dtype)
        check_placed(x0, (5, 2), dtype, device, f"{label}: sample_prior")
        check_placed(path.prior_log_prob(x0), (5,), dtype, device, f"{label}: prior_log_prob")
        z, _, t = points(device, dtype, t_range=(path.t_min, path.t_max))
        eps = path.sample_noise(z)
        outputs = {"sample_noise": eps, "sample": path.sample(z, t, eps), "velocity": path.velocity(z, z, t),
                   "score": path.score(z, z, t)}
        for method, out in outputs.items():
            check_placed(out, tuple(z.shape), dtype, device, f"{label}: {method}")
    if isinstance(path, GaussianPath):
        check_gaussian_schedule(path, label)
    z, eps, t = points("cpu", torch.float64, t_range=(path.t_min, path.t_max))
    t = t.clone().requires_grad_(True)
    x_t = path.sample(z, t, eps)
    dxdt = torch.stack([torch.autograd.grad(x_t[:, i].sum(), t, retain_graph=True)[0] for i in range(2)], 1)
    assert_close(path.velocity(x_t.detach(), z, t.detach()), dxdt,
                 f"{label}: velocity(x_t, z, t) against d/dt sample(z, t, ε) by autograd", atol=1e-8, rtol=1e-6)
    check_prior(path, label)
    for provided in get_registry().all("target"):
        target = create("target", provided.qualified_name)
        if provided.distribution == "fmcore" and target.unsupported(path) is None:
            check_conversions(target, path, f"{label} with target '{provided.name}'")


def check_prior(path: ProbabilityPath, label: str, n: int = 20_000) -> None:
    """``prior_log_prob`` is the normalised density of ``sample_prior``'s draws, in 2-D, float64: with
    ``q = N(μ̂, (1.5 r)² I)`` (``μ̂``, ``r``: the draws' mean and RMS spread) and ``w = p/q`` on draws
    of ``q``, ``E_q[w] = 1`` and ``E_q[w ‖x‖²]`` equals the mean of ``‖x‖²`` over the prior's draws,
    each within 5 standard errors."""
    gen = torch.Generator().manual_seed(0)
    x = path.sample_prior((n, 2), generator=gen, dtype=torch.float64)
    center = x.mean(0)
    spread = 1.5 * (x - center).square().mean().sqrt().item()
    q = center + spread * torch.randn(n, 2, generator=gen, dtype=torch.float64)
    log_q = -0.5 * ((q - center) / spread).square().sum(1) - 2 * math.log(spread) - math.log(2 * math.pi)
    w = (path.prior_log_prob(q) - log_q).exp()
    assert_near(w.mean().item(), 1.0, 5 * w.std().item() / math.sqrt(n) + 1e-9,
                f"{label}: ∫ exp(prior_log_prob) dx by importance sampling")
    moment, weighted = x.square().sum(1), w * q.square().sum(1)
    error = math.sqrt((moment.var() + weighted.var()).item() / n)
    assert_near(weighted.mean().item(), moment.mean().item(), 5 * error + 1e-9,
                f"{label}: E‖x‖² under exp(prior_log_prob) (importance sampling) against sample_prior's draws")


def _time_derivative(value: Tensor, t: Tensor) -> Tensor:
    """``d value / dt`` elementwise by autograd (0 for a value that does not depend on ``t``)."""
    if not value.requires_grad:
        return torch.zeros_like(t)
    return torch.autograd.grad(value.sum(), t, retain_graph=True)[0]


def check_gaussian_schedule(path: GaussianPath, label: str) -> None:
    """``α̇, σ̇`` equal autograd derivatives of ``α, σ``; ``σ > 0`` inside the range; the ends are
    noise (``α/σ ≤ 0.05`` and ``σ ≈ prior_std`` at ``t_min``) and data (``σ/α ≤ 0.05`` at ``t_max``);
    the score is the autograd gradient of ``log N(x; α z, σ² I)``; ``x_t`` has mean ``α z`` and
    standard deviation ``σ``."""
    t = torch.linspace(path.t_min, path.t_max, 41, dtype=torch.float64)[1:-1].requires_grad_(True)
    c = path.schedule(t)
    for name, value, derivative in (("d_alpha", c.alpha, c.d_alpha), ("d_sigma", c.sigma, c.d_sigma)):
        assert_close(derivative, _time_derivative(value, t), f"{label}: {name} against autograd d/dt",
                     atol=1e-9, rtol=1e-7)
    assert (c.sigma > 0).all(), f"{label}: σ must be positive inside [t_min, t_max], min σ = {c.sigma.min():.3g}"
    ends = path.schedule(torch.tensor([path.t_min, path.t_max], dtype=torch.float64))
    alpha, sigma = ends.alpha.tolist(), ends.sigma.tolist()
    assert abs(alpha[0]) <= 0.05 * sigma[0], f"{label}: α/σ = {alpha[0] / sigma[0]:.3g} at t_min, " \
                                             f"not ≤ 0.05 (noise)"
    assert_near(sigma[0], path.prior_std, 0.01 * path.prior_std, f"{label}: σ(t_min) against prior_std")
    x0 = path.sample_prior((7, 2), dtype=torch.float64)
    prior = torch.distributions.Normal(torch.tensor(0.0, dtype=torch.float64),
                                       torch.tensor(float(path.prior_std), dtype=torch.float64))
    assert_close(path.prior_log_prob(x0), prior.log_prob(x0).sum(1),
                 f"{label}: prior_log_prob against log N(x; 0, prior_std² I)", atol=1e-10, rtol=1e-10)
    assert abs(sigma[1]) <= 0.05 * abs(alpha[1]), f"{label}: σ = {sigma[1]:.3g}, α = {alpha[1]:.3g} at t_max: " \
                                                 f"σ/α not ≤ 0.05 (data)"
    z, eps, times = points("cpu", torch.float64, t_range=(path.t_min, path.t_max))
    cz = path.coefficients(times, z)
    x = (cz.alpha * z + cz.sigma * eps).requires_grad_(True)
    (grad,) = torch.autograd.grad(torch.distributions.Normal(cz.alpha * z, cz.sigma).log_prob(x).sum(), x)
    assert_close(path.score(x.detach(), z, times), grad, f"{label}: score against autograd ∇ log N(x; α z, σ² I)",
                 atol=1e-8, rtol=1e-8)
    gen = torch.Generator().manual_seed(0)
    z = torch.tensor([[1.5, -0.5]], dtype=torch.float64).expand(100_000, 2)
    mid = torch.full((100_000,), 0.5 * (path.t_min + path.t_max), dtype=torch.float64)
    x = path.sample(z, mid, path.sample_noise(z, generator=gen))
    cm = path.coefficients(mid[:1], z[:1])
    sigma_mid = float(cm.sigma)
    assert_close(x.mean(0), (cm.alpha * z[:1])[0], f"{label}: mean of 10⁵ draws of x_t against α z",
                 atol=0.02 * sigma_mid + 1e-12)
    assert_close(x.std(0), sigma_mid, f"{label}: std of 10⁵ draws of x_t against σ", atol=0.0, rtol=0.02)


def check_conversions(target: Any, path: ProbabilityPath, label: str) -> None:
    """In float64, reading the conditional target ``regression_target(z, ε, x_t, t)`` as a prediction:
    ``to_velocity`` gives ``path.velocity(x_t, z, t)`` and, on a Gaussian path, ``to_data`` gives ``z``,
    ``to_noise`` gives ``ε`` and ``to_score`` gives ``path.score(x_t, z, t)``; at times inside the
    target's sampling range (5% in from each end)."""
    start, end = target.sampling_range(path)
    inset = 0.05 * (end - start)
    z, eps, t = points("cpu", torch.float64, t_range=(start + inset, end - inset))
    x_t = path.sample(z, t, eps)
    pred = target.regression_target(path, z, eps, x_t, t)
    expected = {"to_velocity": path.velocity(x_t, z, t)}
    if isinstance(path, GaussianPath):
        expected.update(to_data=z, to_noise=eps, to_score=path.score(x_t, z, t))
    for method, want in expected.items():
        assert_close(getattr(target, method)(path, pred, x_t, t), want,
                     f"{label}: {method} of the regression target against the conditional quantity",
                     atol=1e-9, rtol=1e-7)


def check_target(target: Any, label: str, device: str) -> None:
    """On CondOT: the regression target's shape, dtype and device, the same with the path's
    ``coefficients`` given; its conversions
    (:func:`check_conversions`); a sampling range inside the path's on which the velocity is finite."""
    path = reference_path()
    assert target.unsupported(path) is None, f"{label} refuses the reference Gaussian path: " \
                                             f"{target.unsupported(path)}"
    for dtype in DTYPES:
        z, eps, t = points(device, dtype)
        x_t = path.sample(z, t, eps)
        pred = target.regression_target(path, z, eps, x_t, t)
        check_placed(pred, tuple(z.shape), dtype, device, f"{label}: regression_target")
        given = target.regression_target(path, z, eps, x_t, t, coefficients=path.coefficients(t, z))
        assert_close(given, pred, f"{label}: regression_target given the path's coefficients (as "
                     "objectives pass them) against evaluating them itself", atol=0.0, rtol=0.0)
    check_conversions(target, path, label)
    start, end = target.sampling_range(path)
    assert path.t_min <= start < end <= path.t_max, f"{label}: sampling range [{start}, {end}] is not " \
                                                   f"inside [{path.t_min}, {path.t_max}]"
    z, eps, t = points("cpu", torch.float64)
    x_t = path.sample(z, t, eps)
    pred = target.regression_target(path, z, eps, x_t, t)
    for end_time in (start, end):
        at = torch.full((len(z),), end_time, dtype=torch.float64)
        v = target.to_velocity(path, pred, x_t, at)
        assert torch.isfinite(v).all(), f"{label}: velocity is not finite at t = {end_time} (an end of " \
                                        f"the sampling range)"


class _OnSchedule(GaussianPath):
    """A schedule seen as a Gaussian path, to check it like one."""

    def __init__(self, schedule: Any):
        self._schedule = schedule
        self.t_min = getattr(schedule, "t_min", 0.0)
        self.t_max = getattr(schedule, "t_max", 1.0)
        self.prior_std = getattr(schedule, "prior_std", 1.0)

    def schedule(self, t: Tensor) -> Any:
        return self._schedule.schedule(t)


def check_schedule(schedule: Any, label: str, device: str) -> None:
    """A schedule is checked as the Gaussian path it defines (:func:`check_path`)."""
    check_path(schedule if isinstance(schedule, GaussianPath) else _OnSchedule(schedule), label, device)
