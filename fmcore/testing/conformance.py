"""Conformance checks any component author runs on their components.

``check_component(kind, name, settings)`` builds the registered component and checks what its kind
promises: protocol shape, dtype and device handling, the settings' round trip through cattrs and
TOML, and kind-specific math (a path's velocity is the time derivative of its samples, a target's
conversions recover the conditional quantities, an integrator converges on a known flow). Each
check raises ``AssertionError`` with a message naming the component.
"""

from __future__ import annotations

import sys
from typing import Any

import torch
from torch import Tensor

from fmcore.component import BuildContext
from fmcore.config.converter import structure, unstructure
from fmcore.create import create
from fmcore.data import Batch
from fmcore.field import Field
from fmcore.gaussian import GaussianPath
from fmcore.plugin_manager import get_registry
from fmcore.protocols import PROTOCOLS, ProbabilityPath
from fmcore.registry import Provided
from fmcore.testing.fields import GaussianDataField, LinearDecayField

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DTYPES = (torch.float32, torch.float64)


def devices() -> list[str]:
    """The devices to check on: the CPU, and CUDA when present."""
    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


def check_component(kind: str, name: str, settings: dict[str, Any] | None = None,
                    device: str = "cpu") -> Any:
    """Build ``kind``/``name`` from ``settings`` and run every check for its kind; returns it."""
    provided = get_registry().resolve(kind, name)
    obj = check_settings_roundtrip(provided, settings or {})
    context = BuildContext(event_shape=(2,), num_classes=None, path=_reference_path(),
                           target=create("target", "velocity"))
    component = provided.component.build(obj, context)
    label = f"{kind} '{name}'"
    protocol = PROTOCOLS[kind]
    if kind != "network":
        assert isinstance(component, protocol), f"{label} does not implement {protocol.__name__}"
    CHECKS[kind](component, label, device)
    return component


def check_settings_roundtrip(provided: Provided, settings: dict[str, Any]) -> Any:
    """Settings → object → table → TOML → table → object gives back an equal object."""
    label = f"{provided.kind} '{provided.name}'"
    obj, issues = structure(settings, provided.component.settings, f"$.{provided.kind}")
    assert not issues, f"{label}: settings {settings} do not validate: {issues}"
    import tomli_w

    table = tomllib.loads(tomli_w.dumps({"c": unstructure(obj)}))["c"]
    again, issues = structure(table, provided.component.settings, f"$.{provided.kind}")
    assert not issues and again == obj, f"{label}: settings do not round-trip: {obj} -> {table} -> {again}"
    return obj


def _points(device: str, dtype: torch.dtype, batch: int = 16) -> tuple[Tensor, Tensor, Tensor]:
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(batch, 2, generator=gen, dtype=torch.float64).to(device, dtype)
    eps = torch.randn(batch, 2, generator=gen, dtype=torch.float64).to(device, dtype)
    t = (0.05 + 0.9 * torch.rand(batch, generator=gen, dtype=torch.float64)).to(device, dtype)
    return z, eps, t


def check_path(path: ProbabilityPath, label: str, device: str) -> None:
    """Shapes, dtypes and devices; ``d/dt x_t = u_t(x_t|z)`` by autograd; for Gaussian paths the
    score against autograd of ``log N(x; α z, σ² I)``, and the prior's log-density."""
    assert 0.0 <= path.t_min < path.t_max <= 1.0, f"{label}: bad time range [{path.t_min}, {path.t_max}]"
    for dtype in DTYPES:
        x0 = path.sample_prior((5, 2), device=device, dtype=dtype)
        assert x0.shape == (5, 2) and x0.dtype == dtype and x0.device.type == device, label
        logp = path.prior_log_prob(x0)
        assert logp.shape == (5,) and torch.isfinite(logp).all(), f"{label}: prior_log_prob {logp}"
        z, _, t = _points(device, dtype)
        eps = path.sample_noise(z)
        for out in (eps, path.sample(z, t, eps), path.velocity(z, z, t), path.score(z, z, t)):
            assert out.shape == z.shape and out.dtype == dtype and out.device.type == device, label
    z, eps, t = _points("cpu", torch.float64)
    t = t.clone().requires_grad_(True)
    x_t = path.sample(z, t, eps)
    dxdt = torch.stack([torch.autograd.grad(x_t[:, i].sum(), t, retain_graph=True)[0] for i in range(2)], 1)
    u = path.velocity(x_t.detach(), z, t.detach())
    assert torch.allclose(dxdt, u, atol=1e-8, rtol=1e-6), f"{label}: velocity is not d/dt of sample"
    if isinstance(path, GaussianPath):
        check_gaussian_schedule(path, label)
        c = path.coefficients(t.detach(), z)
        x = x_t.detach().clone().requires_grad_(True)
        logp = torch.distributions.Normal(c.alpha * z, c.sigma).log_prob(x).sum()
        (grad,) = torch.autograd.grad(logp, x)
        assert torch.allclose(grad, path.score(x.detach(), z, t.detach()), atol=1e-8), f"{label}: score"
        x0 = path.sample_prior((7, 2), dtype=torch.float64)
        expected = torch.distributions.Normal(0.0, path.prior_std).log_prob(x0).sum(1)
        assert torch.allclose(path.prior_log_prob(x0), expected), f"{label}: prior_log_prob"


def _time_derivative(value: Tensor, t: Tensor) -> Tensor:
    """``d value / dt`` elementwise by autograd (0 for a value that does not depend on ``t``)."""
    if not value.requires_grad:
        return torch.zeros_like(t)
    return torch.autograd.grad(value.sum(), t, retain_graph=True)[0]


def check_gaussian_schedule(path: GaussianPath, label: str) -> None:
    """``α̇, σ̇`` equal autograd derivatives of ``α, σ``; ``σ > 0`` inside the range; the ends are
    noise (``α/σ ≤ 0.05`` and ``σ ≈ prior_std`` at ``t_min``) and data (``σ/α ≤ 0.05`` at ``t_max``);
    ``x_t`` has mean ``α z`` and standard deviation ``σ``."""
    t = torch.linspace(path.t_min, path.t_max, 41, dtype=torch.float64)[1:-1].requires_grad_(True)
    c = path.schedule(t)
    d_alpha, d_sigma = (_time_derivative(value, t) for value in (c.alpha, c.sigma))
    assert torch.allclose(c.d_alpha, d_alpha, rtol=1e-7, atol=1e-9), f"{label}: d_alpha is not dα/dt"
    assert torch.allclose(c.d_sigma, d_sigma, rtol=1e-7, atol=1e-9), f"{label}: d_sigma is not dσ/dt"
    assert (c.sigma > 0).all(), f"{label}: σ must be positive inside [t_min, t_max]"
    ends = path.schedule(torch.tensor([path.t_min, path.t_max], dtype=torch.float64))
    assert ends.alpha[0].abs() <= 0.05 * ends.sigma[0], f"{label}: t_min is not (close to) noise"
    assert abs(ends.sigma[0] - path.prior_std) <= 0.01 * path.prior_std, f"{label}: σ(t_min) ≠ prior_std"
    assert ends.sigma[1].abs() <= 0.05 * ends.alpha[1].abs(), f"{label}: t_max is not (close to) data"
    gen = torch.Generator().manual_seed(0)
    z = torch.tensor([[1.5, -0.5]], dtype=torch.float64).expand(100_000, 2)
    mid = torch.full((100_000,), 0.5 * (path.t_min + path.t_max), dtype=torch.float64)
    x = path.sample(z, mid, path.sample_noise(z, generator=gen))
    cm = path.coefficients(mid[:1], z[:1])
    assert torch.allclose(x.mean(0), (cm.alpha * z[:1])[0], atol=0.02 * float(cm.sigma) + 1e-12), label
    assert torch.allclose(x.std(0), cm.sigma[0].expand(2), rtol=0.02), f"{label}: std of x_t is not σ"


class _OnSchedule(GaussianPath):
    """A schedule seen as a Gaussian path, to check it like one."""

    def __init__(self, schedule: Any):
        self._schedule = schedule
        self.t_min = getattr(schedule, "t_min", 0.0)
        self.t_max = getattr(schedule, "t_max", 1.0)
        self.prior_std = getattr(schedule, "prior_std", 1.0)

    def schedule(self, t: Tensor) -> Any:
        return self._schedule.schedule(t)


def _as_path(schedule: Any) -> GaussianPath:
    return schedule if isinstance(schedule, GaussianPath) else _OnSchedule(schedule)


def check_target(target: Any, label: str, device: str) -> None:
    """On a linear Gaussian path: the regression target's shape, and — reading the *conditional*
    target as a prediction — ``to_velocity`` gives ``α̇ z + σ̇ ε``, ``to_data`` gives ``z``,
    ``to_noise`` gives ``ε`` and ``to_score`` gives ``−ε/σ``."""
    path = _reference_path()
    assert target.unsupported(path) is None, f"{label} refuses the reference Gaussian path"
    for dtype in DTYPES:
        z, eps, t = _points(device, dtype)
        x_t = path.sample(z, t, eps)
        pred = target.regression_target(path, z, eps, x_t, t)
        assert pred.shape == z.shape and pred.dtype == dtype and pred.device.type == device, label
    z, eps, t = _points("cpu", torch.float64)
    x_t = path.sample(z, t, eps)
    pred = target.regression_target(path, z, eps, x_t, t)
    c = path.coefficients(t, z)
    expected = {
        "to_velocity": c.d_alpha * z + c.d_sigma * eps,
        "to_data": z,
        "to_noise": eps,
        "to_score": -eps / c.sigma,
    }
    for method, want in expected.items():
        got = getattr(target, method)(path, pred, x_t, t)
        assert torch.allclose(got, want, atol=1e-9, rtol=1e-7), f"{label}: {method} is wrong"
    start, end = target.sampling_range(path)
    assert path.t_min <= start < end <= path.t_max, f"{label}: sampling range {start, end}"
    for end_time in (start, end):
        at = torch.full((16,), end_time, dtype=torch.float64)
        v = target.to_velocity(path, pred, x_t, at)
        assert torch.isfinite(v).all(), f"{label}: velocity is not finite at t = {end_time}"


def _reference_path() -> GaussianPath:
    return create("path", "condot")


def check_network(network: Any, label: str, device: str) -> None:
    """Output shaped like ``x`` in the input dtype, on the input device; gradients reach every
    parameter (a network without parameters, such as an exact oracle, skips this); a scalar-free
    ``[B]`` time is accepted."""
    assert isinstance(network, torch.nn.Module), f"{label} is not a torch.nn.Module"
    for dtype in DTYPES:
        net = network.to(device=device, dtype=dtype)
        z, _, t = _points(device, dtype)
        out = net(z, t)
        assert out.shape == z.shape and out.dtype == dtype and out.device.type == device, label
    network.to(torch.float32)
    if not any(p.requires_grad for p in network.parameters()):
        return
    z, _, t = _points("cpu", torch.float32)
    network.to("cpu")(z, t).square().sum().backward()
    missing = [n for n, p in network.named_parameters() if p.requires_grad and p.grad is None]
    assert not missing, f"{label}: no gradient reaches {missing}"


def check_objective(objective: Any, label: str, device: str) -> None:
    """A finite scalar loss, differentiable in the network's parameters, in both dtypes."""
    path = _reference_path()
    target = create("target", "velocity")
    assert objective.unsupported(path, target) is None, f"{label} refuses velocity on condot"
    for dtype in DTYPES:
        net = torch.nn.Sequential(torch.nn.Linear(3, 2)).to(device, dtype)
        network = _TimeConcat(net)
        z, _, _ = _points(device, dtype)
        loss = objective.loss(Field(network, target, path), Batch(z))
        assert loss.ndim == 0 and loss.dtype == dtype and torch.isfinite(loss), f"{label}: loss {loss}"
        loss.backward()
        assert net[0].weight.grad is not None, f"{label}: the loss does not reach the network"


class _TimeConcat(torch.nn.Module):
    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        return self.net(torch.cat([x, t[:, None]], 1))


def check_integrator(integrator: Any, label: str, device: str) -> None:
    """Shapes, dtypes, device, NFE and trajectory. A deterministic integrator's end state approaches
    the exact flow of ``dx/dt = −θ x``. A stochastic one (two generator seeds give different ends)
    gives identical ends for equal seeds, and samples of data ``N(1, 0.5²)`` from its exact field."""
    field = LinearDecayField(_reference_path())
    for dtype in DTYPES:
        x0 = torch.randn(8, 2, dtype=dtype, device=device)
        sol = integrator.sample(field, x0, trajectory=True)
        assert sol.x.shape == x0.shape and sol.x.dtype == dtype and sol.x.device.type == device, label
        assert sol.nfe > 0, f"{label}: reports nfe={sol.nfe}"
        assert sol.trajectory is not None and sol.trajectory.shape[1:] == x0.shape, label
        assert sol.times is not None and sol.times.shape[0] == sol.trajectory.shape[0], label
        assert torch.equal(sol.trajectory[-1], sol.x), f"{label}: trajectory does not end at x"
    x0 = torch.randn(8, 2, dtype=torch.float64, device=device)
    ends = [integrator.sample(field, x0, generator=_seeded(seed, device)).x for seed in (0, 0, 1)]
    if torch.equal(ends[0], ends[2]):
        error = (ends[0] - field.exact(x0)).abs().max().item()
        assert error < 0.05 * x0.abs().max().item(), f"{label}: error {error} on dx/dt = -θx"
        return
    assert torch.equal(ends[0], ends[1]), f"{label}: the same generator seed gives different samples"
    gaussian = GaussianDataField(_reference_path(), mean=1.0, std=0.5)
    x0 = torch.randn(4000, 2, dtype=torch.float64, device=device, generator=_seeded(2, device))
    x = integrator.sample(gaussian, x0, generator=_seeded(3, device)).x
    mean, std = x.mean().item(), x.std().item()
    assert abs(mean - 1.0) < 0.05 and abs(std - 0.5) < 0.05, f"{label}: N(1, 0.5²) data sampled " \
                                                            f"with mean {mean:.3f}, std {std:.3f}"


def _seeded(seed: int, device: str) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(seed)


def check_dataset(dataset: Any, label: str, device: str) -> None:
    """A non-empty, finite, float data set whose batches have the declared event shape."""
    assert len(dataset) > 0, f"{label} is empty"
    indices = torch.arange(min(len(dataset), 7))
    batch = dataset.get(indices)
    assert isinstance(batch, Batch), f"{label}.get() did not return a Batch"
    assert batch.x.shape == (len(indices), *dataset.event_shape), f"{label}: batch shape"
    assert batch.x.is_floating_point() and torch.isfinite(batch.x).all(), f"{label}: bad values"
    if dataset.num_classes is not None:
        assert batch.cond is not None and batch.cond.shape == (len(indices),), f"{label}: labels"


def check_time_sampler(sampler: Any, label: str, device: str) -> None:
    """``n`` times of the requested dtype and device, inside ``[t_min, t_max]``, not all equal."""
    for dtype in DTYPES:
        t = sampler.sample(2000, 0.1, 0.7, device=device, dtype=dtype)
        assert t.shape == (2000,) and t.dtype == dtype and t.device.type == device, label
        assert (t >= 0.1).all() and (t <= 0.7).all(), f"{label}: times outside [t_min, t_max]"
        assert t.std() > 0, f"{label}: every time is the same"


def check_time_grid(grid: Any, label: str, device: str) -> None:
    """Increasing float64 times on every Gaussian path's range, starting and ending exactly there."""
    for name in get_registry().names("path"):
        path = create("path", name)
        if not isinstance(path, GaussianPath):
            continue
        for steps in (1, 7, 50):
            times = grid.times(steps, path, path.t_min, path.t_max)
            assert times.dtype == torch.float64 and times.ndim == 1 and len(times) >= 2, label
            assert times[0] == path.t_min and times[-1] == path.t_max, f"{label}: ends on '{name}'"
            assert (times[1:] > times[:-1]).all(), f"{label}: times do not increase on '{name}'"


def check_diffusion(diffusion: Any, label: str, device: str) -> None:
    """``g_t²`` is a float64 ``[n]`` tensor, finite and ``≥ 0`` on the whole range of every Gaussian path."""
    for name in get_registry().names("path"):
        path = create("path", name)
        if not isinstance(path, GaussianPath):
            continue
        t = torch.linspace(path.t_min, path.t_max, 33, dtype=torch.float64)
        g2 = diffusion.g_squared(path, t)
        assert g2.shape == t.shape and g2.dtype == torch.float64, f"{label}: g² shape/dtype on '{name}'"
        assert torch.isfinite(g2).all() and (g2 >= 0).all(), f"{label}: g² = {g2.tolist()} on '{name}'"


CHECKS = {
    "path": check_path,
    "schedule": lambda schedule, label, device: check_path(_as_path(schedule), label, device),
    "target": check_target,
    "network": check_network,
    "objective": check_objective,
    "integrator": check_integrator,
    "dataset": check_dataset,
    "time-sampler": check_time_sampler,
    "time-grid": check_time_grid,
    "diffusion": check_diffusion,
}
