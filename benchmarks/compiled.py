"""fmcore with ``torch.compile``: training and Euler sampling with the network compiled in place
(``nn.Module.compile()``, mode ``default``) against the hand-written loops, eager and compiled.

Same workload as :mod:`benchmarks.overhead`. Compilation happens in the untimed warm-up call; a
build or machine where ``torch.compile`` fails (no C++ compiler, an unsupported platform) gets the
reason instead of a table.
"""

from __future__ import annotations

import copy
from functools import partial

import attrs
import torch
from torch import nn

from benchmarks.markdown import table
from benchmarks.overhead import DEPTH, pipeline
from benchmarks.peers import hand
from benchmarks.timing import timed


@attrs.frozen
class Scale:
    sizes: tuple[tuple[int, int], ...]  # (MLP width, batch)
    samples_per_call: int
    nfe: int
    repeats: int


FULL = Scale(((64, 256), (256, 4096)), 40960, 40, 5)
QUICK = Scale(((64, 256),), 8192, 10, 3)


def section(quick: bool) -> str:
    scale = QUICK if quick else FULL
    failure = compile_failure()
    if failure is not None:
        return f"## torch.compile\n\nSkipped: torch.compile does not work here ({failure})."
    rows = [measure(width, batch, scale) for width, batch in scale.sizes]
    return "\n\n".join([
        "## torch.compile",
        f"fmcore with its network compiled (`pipe.network.compile()`, mode default) against the hand-written "
        f"loops with the same network eager and compiled; training calls of `{scale.samples_per_call} / batch` "
        f"steps, Euler sampling at NFE {scale.nfe}; median of {scale.repeats} interleaved repeats after an "
        "untimed call that compiles.",
        table(["MLP", "batch", "training: compiled fmcore / eager hand-written", "/ compiled hand-written",
               "sampling: compiled fmcore / eager hand-written", "/ compiled hand-written"], rows),
        "Only the network is compiled: fmcore's objective, integrator and training loop stay eager, so "
        "their fixed cost per step weighs more against a compiled network than against an eager one.",
    ])


def compile_failure() -> str | None:
    """Why ``torch.compile`` fails on a tiny module here (``None`` when it works)."""
    try:
        module = nn.Linear(2, 2)
        module.compile()
        module(torch.zeros(1, 2)).sum().backward()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def measure(width: int, batch: int, scale: Scale) -> tuple[str, ...]:
    steps = max(1, scale.samples_per_call // batch)
    pipe = pipeline(width, batch, steps)
    data = pipe.dataset.x
    eager, compiled = copy.deepcopy(pipe.network), copy.deepcopy(pipe.network)
    compiled.compile()
    pipe.network.compile()
    t = timed({
        "train fmcore": pipe.train,
        "train eager": partial(hand.train, hand.loss, eager, data, batch, steps),
        "train compiled": partial(hand.train, hand.loss, compiled, data, batch, steps),
        "sample fmcore": partial(pipe.sample, batch, integrator="euler", steps=scale.nfe, seed=0),
        "sample eager": partial(hand.sample, eager, batch, 2, "euler", scale.nfe),
        "sample compiled": partial(hand.sample, compiled, batch, 2, "euler", scale.nfe),
    }, scale.repeats)
    return (f"{DEPTH}×{width}", str(batch),
            *(f"{t[f'{kind} fmcore'] / t[f'{kind} {other}']:.3f}"
              for kind in ("train", "sample") for other in ("eager", "compiled")))


if __name__ == "__main__":
    from benchmarks.__main__ import run_alone

    run_alone("compile")
