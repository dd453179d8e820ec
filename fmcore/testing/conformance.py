"""Conformance checks any component author runs on their components.

``check_component(kind, name, settings)`` builds the registered component and checks what its kind
promises: protocol shape, dtype and device handling, the settings' round trip through cattrs and
TOML, and kind-specific math (a path's velocity is the time derivative of its samples, a target's
conversions recover the conditional quantities, an integrator converges on a known flow). Each
check raises ``AssertionError`` with a message naming the component, what was compared, the numbers
and the tolerance.
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
from fmcore.protocols import PROTOCOLS
from fmcore.registry import Provided
from fmcore.testing.integrator_checks import check_integrator
from fmcore.testing.metric_checks import check_metric
from fmcore.testing.path_checks import check_path, check_schedule, check_target, reference_path
from fmcore.testing.points import DTYPES, check_placed, points

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def devices() -> list[str]:
    """The devices to check on: the CPU, and CUDA when present."""
    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


def check_component(kind: str, name: str, settings: dict[str, Any] | None = None,
                    device: str = "cpu", event_shape: tuple[int, ...] = (2,)) -> Any:
    """Build ``kind``/``name`` from ``settings`` and run every check for its kind; returns it.
    A network is built for data of ``event_shape`` (e.g. ``(1, 8, 8)`` for an image network)."""
    provided = get_registry().resolve(kind, name)
    obj = check_settings_roundtrip(provided, settings or {})
    context = BuildContext(event_shape=event_shape, num_classes=None, path=reference_path(),
                           target=create("target", "velocity"))
    component = provided.component.build(obj, context)
    label = f"{kind} '{name}'"
    protocol = PROTOCOLS[kind]
    if kind != "network":
        assert isinstance(component, protocol), f"{label} does not implement {protocol.__name__}: " \
                                                f"it lacks {', '.join(_missing(component, protocol))}"
    if kind == "network":
        check_network(component, label, device, event_shape)
    else:
        CHECKS[kind](component, label, device)
    return component


def _missing(component: Any, protocol: type) -> list[str]:
    """The attributes and public methods ``protocol`` declares that ``component`` lacks."""
    declared = {*getattr(protocol, "__annotations__", {}),
                *(name for name, value in vars(protocol).items() if callable(value) and not name.startswith("_"))}
    return sorted(name for name in declared if not hasattr(component, name))


def check_settings_roundtrip(provided: Provided, settings: dict[str, Any]) -> Any:
    """Settings → object → table → TOML → table → object gives back an equal object."""
    label = f"{provided.kind} '{provided.name}'"
    obj, issues = structure(settings, provided.component.settings, f"$.{provided.kind}")
    assert not issues, f"{label}: settings {settings} do not validate: {'; '.join(map(str, issues))}"
    import tomli_w

    table = tomllib.loads(tomli_w.dumps({"c": unstructure(obj)}))["c"]
    again, issues = structure(table, provided.component.settings, f"$.{provided.kind}")
    assert not issues and again == obj, f"{label}: settings do not round-trip: {obj} -> {table} -> {again}"
    return obj


def check_network(network: Any, label: str, device: str, event_shape: tuple[int, ...] = (2,)) -> None:
    """Output shaped like ``x`` ``[B, *event_shape]`` in the input dtype, on the input device;
    gradients reach every parameter (a network without parameters, such as an exact oracle, skips
    this); a scalar-free ``[B]`` time is accepted."""
    assert isinstance(network, torch.nn.Module), f"{label} is not a torch.nn.Module"
    for dtype in DTYPES:
        net = network.to(device=device, dtype=dtype)
        z, _, t = points(device, dtype, event_shape=event_shape)
        check_placed(net(z, t), tuple(z.shape), dtype, device, f"{label}: net(x, t)")
    network.to(torch.float32)
    if not any(p.requires_grad for p in network.parameters()):
        return
    z, _, t = points("cpu", torch.float32, event_shape=event_shape)
    network.to("cpu")(z, t).square().sum().backward()
    missing = [n for n, p in network.named_parameters() if p.requires_grad and p.grad is None]
    assert not missing, f"{label}: no gradient reaches {missing}"


def check_objective(objective: Any, label: str, device: str) -> None:
    """A finite scalar loss, differentiable in the network's parameters, in both dtypes."""
    path = reference_path()
    target = create("target", "velocity")
    assert objective.unsupported(path, target) is None, f"{label} refuses velocity on condot: " \
                                                        f"{objective.unsupported(path, target)}"
    for dtype in DTYPES:
        net = torch.nn.Sequential(torch.nn.Linear(3, 2)).to(device, dtype)
        network = _TimeConcat(net)
        z, _, _ = points(device, dtype)
        loss = objective.loss(Field(network, target, path), Batch(z))
        check_placed(loss, (), dtype, device, f"{label}: loss")
        assert torch.isfinite(loss), f"{label}: loss {loss.item()} is not finite"
        loss.backward()
        assert net[0].weight.grad is not None, f"{label}: the loss does not reach the network"


class _TimeConcat(torch.nn.Module):
    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        return self.net(torch.cat([x, t[:, None]], 1))


def check_dataset(dataset: Any, label: str, device: str) -> None:
    """A non-empty, finite, float data set whose batches have the declared event shape, and labels
    in ``[0, num_classes)`` when it declares classes."""
    assert len(dataset) > 0, f"{label} is empty"
    indices = torch.arange(min(len(dataset), 7))
    batch = dataset.get(indices)
    assert isinstance(batch, Batch), f"{label}.get() returned {type(batch).__name__}, not a Batch"
    expected = [len(indices), *dataset.event_shape]
    assert list(batch.x.shape) == expected, f"{label}: get() of {len(indices)} indices gave x of shape " \
                                            f"{list(batch.x.shape)}; expected {expected} (event_shape)"
    assert batch.x.is_floating_point(), f"{label}: x is {batch.x.dtype}, not floating point"
    bad = int((~torch.isfinite(batch.x)).sum())
    assert bad == 0, f"{label}: {bad} of {batch.x.numel()} values of x are not finite"
    if dataset.num_classes is not None:
        cond = batch.cond
        assert cond is not None and cond.shape == (len(indices),), f"{label}: num_classes = " \
            f"{dataset.num_classes} but the labels are {None if cond is None else list(cond.shape)}, " \
            f"not [{len(indices)}]"
        assert ((cond >= 0) & (cond < dataset.num_classes)).all(), f"{label}: labels {cond.tolist()} " \
                                                                   f"outside [0, {dataset.num_classes})"


def check_time_sampler(sampler: Any, label: str, device: str) -> None:
    """``n`` times of the requested dtype and device, inside ``[t_min, t_max]``, not all equal."""
    for dtype in DTYPES:
        t = sampler.sample(2000, 0.1, 0.7, device=device, dtype=dtype)
        check_placed(t, (2000,), dtype, device, f"{label}: sample(2000, 0.1, 0.7)")
        low, high = t.min().item(), t.max().item()
        assert low >= 0.1 and high <= 0.7, f"{label}: times in [{low:.4g}, {high:.4g}], not inside [0.1, 0.7]"
        assert t.std() > 0, f"{label}: every time is {low}"


def check_time_grid(grid: Any, label: str, device: str) -> None:
    """Increasing float64 times on every Gaussian path's range, starting and ending exactly there."""
    for name in get_registry().names("path"):
        path = create("path", name)
        if not isinstance(path, GaussianPath):
            continue
        for steps in (1, 7, 50):
            times = grid.times(steps, path, path.t_min, path.t_max)
            what = f"{label}: {steps} steps on path '{name}'"
            assert times.dtype == torch.float64 and times.ndim == 1 and len(times) >= 2, \
                f"{what}: times are {times.dtype} of shape {list(times.shape)}; expected float64 [≥ 2]"
            assert times[0] == path.t_min and times[-1] == path.t_max, \
                f"{what}: times run from {times[0].item()} to {times[-1].item()}; expected exactly " \
                f"{path.t_min} to {path.t_max}"
            steps_back = (times[1:] <= times[:-1]).nonzero().flatten().tolist()
            assert not steps_back, f"{what}: times do not increase after index {steps_back[0]}: " \
                                   f"{times[steps_back[0]:steps_back[0] + 2].tolist()}"


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


def check_coupling(coupling: Any, label: str, device: str) -> None:
    """Indices ``[B]`` (int64, on the data's device) into the noise, or ``None`` (the identity), for
    any event shape and both dtypes; with labels, pairs only within a class; the same under the same
    global seed."""
    gen = torch.Generator().manual_seed(0)
    for dtype in DTYPES:
        for shape in ((24, 2), (24, 2, 3)):
            z, noise = (torch.randn(shape, generator=gen, dtype=torch.float64).to(device, dtype) for _ in "ab")
            cond = torch.randint(3, (shape[0],), generator=gen).to(device)
            for labels in (None, cond):
                index = coupling.pair(z, noise, labels)
                if index is None:
                    continue
                assert index.shape == (shape[0],) and index.dtype == torch.int64, f"{label}: indices {index}"
                assert index.device.type == device, f"{label}: indices on {index.device}, not {device}"
                assert ((index >= 0) & (index < shape[0])).all(), f"{label}: indices out of range"
                if labels is not None:
                    assert torch.equal(cond[index], cond), f"{label}: pairs data with another class's noise"
    z, noise = torch.randn(2, 32, 2, generator=gen)
    runs = []
    for _ in range(2):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(1)
            runs.append(coupling.pair(z, noise))
    assert runs[0] is runs[1] is None or torch.equal(*runs), f"{label}: differs between runs from the same global seed"


CHECKS = {
    "path": check_path,
    "schedule": check_schedule,
    "target": check_target,
    "network": check_network,
    "objective": check_objective,
    "integrator": check_integrator,
    "dataset": check_dataset,
    "time-sampler": check_time_sampler,
    "time-grid": check_time_grid,
    "diffusion": check_diffusion,
    "coupling": check_coupling,
    "metric": check_metric,
}
