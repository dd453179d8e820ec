"""Couplings in training: a cfm step with `ot` or `sinkhorn` against one with `independent` pairs.

One training step (loss, backward, AdamW) of the default MLP on 2-D moons at a large batch, for each
coupling, interleaved and repeated in one run; the ratios to the independent step are what to read.
Also the pairing alone, once on torch's threads and once on one (the assignment solvers release the
GIL, so `ot` solves its blocks on several threads), how much the coupling shortens the pairs
(mean ‖z − ε_π‖² relative to independent pairs), and the two exact solvers `ot` chooses between by
block size (scipy's `linear_sum_assignment`, POT's `emd`) on one block of each size.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
import torch

import fmcore
from fmcore_couplings import exact_ot
from fmcore_couplings.blocks import squared_distances
from benchmarks.markdown import table
from benchmarks.timing import one_thread, timed


@attrs.frozen
class Scale:
    batch: int
    max_sizes: tuple[int, ...]  # ot block sizes to compare
    repeats: int
    solver_sizes: tuple[int, ...]  # block sizes at which the two solvers are timed


FULL = Scale(4096, (32, 48, 64, 128, 256), 7, (48, 128, 192, 256, 512))
QUICK = Scale(1024, (48, 128), 3, (48, 192, 512))
SMOKE = Scale(64, (16,), 1, (16,))


def section(quick: bool) -> str:
    return report(QUICK if quick else FULL)


def smoke() -> str:
    return report(SMOKE)


def training_step(pipe: fmcore.Pipeline, objective: fmcore.Objective, batch: fmcore.Batch,
                  optimizer: torch.optim.Optimizer) -> Callable[[], None]:
    field = pipe.training_field()

    def step() -> None:
        loss = objective.loss(field, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


def on_one_thread(fn: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with one_thread():
            fn()

    return run


def report(scale: Scale) -> str:
    couplings = {"independent": {"name": "independent"}}
    couplings |= {f"ot max_size={m}": {"name": "ot", "max_size": m} for m in scale.max_sizes}
    couplings["sinkhorn (defaults)"] = {"name": "sinkhorn"}
    pipe = fmcore.Pipeline(fmcore.load_config({"data": {"name": "moons", "n": 20_000}, "train": {"device": "cpu"}}))
    optimizer = torch.optim.AdamW(pipe.network.parameters(), lr=1e-4)
    torch.manual_seed(0)
    batch = pipe.dataset.get(torch.randperm(len(pipe.dataset))[: scale.batch])
    noise = pipe.path.sample_noise(batch.x)
    candidates, shortening = {}, {}
    independent = (batch.x - noise).square().sum(1).mean()
    for label, settings in couplings.items():
        objective = fmcore.create("objective", "cfm", coupling=settings)
        pairing = lambda c=objective.coupling.value: c.pair(batch.x, noise)  # noqa: E731
        candidates[f"step {label}"] = training_step(pipe, objective, batch, optimizer)
        candidates[f"pair {label}"] = pairing
        candidates[f"pair1 {label}"] = on_one_thread(pairing)
        index = pairing()  # None: the pairs as drawn
        paired = noise if index is None else noise[index]
        shortening[label] = float((batch.x - paired).square().sum(1).mean() / independent)
    t = timed(candidates, scale.repeats)
    base = t["step independent"]
    solvers = solver_times(batch.x, noise, scale)
    return "\n\n".join([
        "## Couplings",
        f"cfm on 2-D moons, default MLP (3×256), batch {scale.batch}, torch threads {torch.get_num_threads()}; "
        f"median of {scale.repeats} interleaved repeats; an independent step took {base * 1e3:.0f} ms.",
        table(["coupling", "step / independent step", "pairing / independent step", "pairing on one thread",
               "E‖z − ε‖² / independent"],
              [(label, f"{t[f'step {label}'] / base:.3f}", f"{t[f'pair {label}'] / base:.3f}",
                f"{t[f'pair1 {label}'] / base:.3f}", f"{shortening[label]:.3f}") for label in couplings]),
        f"Exact solvers on one block of moons points against noise, one thread (`ot` uses POT's `emd` "
        f"from {exact_ot.SIMPLEX_FROM} points on):",
        table(["block size", "scipy linear_sum_assignment ms", "POT emd ms", "emd / scipy"],
              [(n, f"{a * 1e3:.2f}", f"{b * 1e3:.2f}", f"{b / a:.2f}") for n, (a, b) in solvers.items()]),
    ])


def solver_times(z: torch.Tensor, noise: torch.Tensor, scale: Scale) -> dict[int, tuple[float, float]]:
    """Seconds per block of each size: scipy's assignment, then POT's network simplex."""
    import ot
    from scipy.optimize import linear_sum_assignment

    found = {}
    for n in scale.solver_sizes:
        cost = squared_distances(z[:n].double(), noise[:n].double()).numpy()
        weights = np.full(n, 1.0 / n)
        with one_thread():
            t = timed({"scipy": lambda c=cost: linear_sum_assignment(c),
                       "emd": lambda c=cost, w=weights: ot.emd(w, w, c, numItermax=10**9)}, scale.repeats)
        found[n] = (t["scipy"], t["emd"])
    return found


if __name__ == "__main__":
    from benchmarks.__main__ import run_alone

    run_alone("couplings")
