"""Integrator overhead: each integrator's sampling time against the floor (NFE × one network
forward at the batch) and, for Euler, against a hand-written Euler loop, measured interleaved.

Targets (issue 4): ≤ 1.05× the floor at batch ≥ 4096, ≤ 1.15× at smaller batches (256).
"""

from __future__ import annotations

from functools import partial

import attrs
import torch

import fmcore
from benchmarks.markdown import ratio, table
from benchmarks.peers import hand
from benchmarks.timing import timed

SMALL_TARGET, LARGE_TARGET, LARGE = 1.15, 1.05, 4096  # time / floor below and from batch LARGE
DEPTH = 3


@attrs.frozen
class Scale:
    sizes: tuple[tuple[int, int], ...]  # (MLP width, batch)
    steps: int
    repeats: int


FULL = Scale(((64, 256), (64, 4096), (256, 256), (256, 4096)), 50, 5)
QUICK = Scale(((64, 256), (64, 4096)), 10, 3)
SMOKE = Scale(((16, 64),), 2, 1)


def section(quick: bool) -> str:
    return report(QUICK if quick else FULL)


def smoke() -> str:
    return report(SMOKE)


@attrs.frozen
class Row:
    width: int
    batch: int
    name: str
    nfe: int
    floor: float  # time / (NFE × forward)
    hand: float | None  # time / hand-written Euler


def report(scale: Scale) -> str:
    rows = [row for width, batch in scale.sizes for row in measure(width, batch, scale)]
    return "\n\n".join([
        "## Integrator overhead",
        f"{scale.steps} steps (integrators with a step count; the adaptive ones choose theirs), MLP of depth "
        f"{DEPTH} on 2-D points; median of {scale.repeats} interleaved repeats. Each integrator's time over "
        "the floor, its NFE × one network forward at the batch, and Euler's over a hand-written Euler loop.",
        table(["MLP", "batch", "integrator", "NFE", "time / (NFE × forward)", "time / hand-written Euler"],
              [(f"{DEPTH}×{r.width}", r.batch, r.name, r.nfe, f"{r.floor:.3f}",
                "" if r.hand is None else ratio(r.hand)) for r in rows]),
        note(rows),
    ])


def measure(width: int, batch: int, scale: Scale) -> list[Row]:
    pipe = fmcore.Pipeline(fmcore.load_config({"data": {"name": "moons", "n": 1000},
                                               "network": {"name": "mlp", "width": width, "depth": DEPTH},
                                               "train": {"device": "cpu"}}))
    net = pipe.network.eval()
    x0 = torch.randn(batch, 2)
    rows = []
    for name in fmcore.get_registry().names("integrator"):
        solver = pipe.integrator_for(name, scale.steps if "steps" in _settings(name) else None)
        with torch.inference_mode():
            nfe = solver.sample(pipe.field, x0).nfe

        def run(solver: fmcore.Integrator = solver) -> None:
            with torch.inference_mode():
                solver.sample(pipe.field, x0, generator=torch.Generator().manual_seed(0))

        candidates = {"integrator": run, "floor": partial(hand.forwards, net, x0, nfe)}
        if name == "euler":
            candidates["hand"] = partial(hand.sample, net, batch, 2, "euler", scale.steps)
        t = timed(candidates, scale.repeats)
        rows.append(Row(width, batch, name, nfe, t["integrator"] / t["floor"],
                        t["integrator"] / t["hand"] if "hand" in t else None))
    return rows


def target(batch: int) -> float:
    """The issue's target ratio to the floor at ``batch``."""
    return LARGE_TARGET if batch >= LARGE else SMALL_TARGET


def note(rows: list[Row]) -> str:
    """Per size, the integrators that miss their target, with their ratios."""
    lines = []
    for width, batch in dict.fromkeys((r.width, r.batch) for r in rows):
        missed = [r for r in rows if (r.width, r.batch) == (width, batch) and r.floor > target(batch)]
        verdict = "met by every integrator" if not missed else "missed by " + ", ".join(
            f"{r.name} ({r.floor:.3f}×)" for r in missed)
        lines.append(f"- {DEPTH}×{width}, batch {batch} (≤ {target(batch)}×): {verdict}.")
    return "\n\n".join([
        f"Targets: time / floor ≤ {SMALL_TARGET}× below batch {LARGE}, ≤ {LARGE_TARGET}× from {LARGE} on.",
        "\n".join(lines),
        "Per-step costs beyond the network are a host synchronisation per step (adaptive integrators "
        "accept or reject each step) and element-wise work (DPM-Solver's and UniPC's conversions to data "
        "predictions, the SDE samplers' noise); they matter only on small networks. Ratios below 1 are "
        "noise: no integrator beats its floor.",
    ])


def _settings(name: str) -> set[str]:
    return {f.name for f in attrs.fields(fmcore.get_registry().resolve("integrator", name).component.settings)}


if __name__ == "__main__":
    from benchmarks.__main__ import run_alone

    run_alone("integrators")
