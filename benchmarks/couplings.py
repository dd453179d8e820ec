"""Couplings in training: a cfm step with `ot` or `sinkhorn` against one with `independent` pairs.

One training step (loss, backward, AdamW) of the default MLP on 2-D data at a large batch, for each
coupling, interleaved and repeated in one run; the ratios to the independent step are what to read.
Also the pairing alone, once on torch's threads and once on one (the assignment solver releases the
GIL, so `ot` solves its blocks on several threads), and how much the coupling shortens the pairs
(mean ‖z − ε_π‖² relative to independent pairs).

    python -m benchmarks.couplings --batch 4096
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import torch

import fmcore
from benchmarks.timing import timed


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
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            fn()
        finally:
            torch.set_num_threads(threads)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--data", default="moons")
    parser.add_argument("--max-sizes", default="32,48,64,128,256", help="ot block sizes to compare")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    couplings = {"independent": {"name": "independent"}}
    couplings |= {f"ot max_size={m}": {"name": "ot", "max_size": int(m)} for m in args.max_sizes.split(",")}
    couplings["sinkhorn (defaults)"] = {"name": "sinkhorn"}
    pipe = fmcore.Pipeline(fmcore.load_config({"data": {"name": args.data, "n": 20_000},
                                              "train": {"device": "cpu"}}))
    optimizer = torch.optim.AdamW(pipe.network.parameters(), lr=1e-4)
    torch.manual_seed(0)
    batch = pipe.dataset.get(torch.randperm(len(pipe.dataset))[: args.batch])
    noise = pipe.path.sample_noise(batch.x)
    candidates, shortening = {}, {}
    independent = (batch.x - noise).square().sum(1).mean()
    for label, table in couplings.items():
        objective = fmcore.create("objective", "cfm", coupling=table)
        pairing = lambda c=objective.coupling.value: c.pair(batch.x, noise)  # noqa: E731
        candidates[f"step {label}"] = training_step(pipe, objective, batch, optimizer)
        candidates[f"pair {label}"] = pairing
        candidates[f"pair1 {label}"] = on_one_thread(pairing)
        shortening[label] = float((batch.x - noise[pairing()]).square().sum(1).mean() / independent)
    t = timed(candidates, args.repeats)
    base = t["step independent"]
    print(f"cfm on '{args.data}', MLP (default 3x256), batch {args.batch}, torch threads {torch.get_num_threads()}; "
          f"independent step {base * 1e3:.0f} ms")
    print(f"{'coupling':22s} {'step/indep.':>11s} {'pairing/indep. step':>20s} {'(one thread)':>13s} "
          f"{'E‖z−ε‖² vs indep.':>18s}")
    for label in couplings:
        print(f"{label:22s} {t[f'step {label}'] / base:11.3f} {t[f'pair {label}'] / base:20.3f} "
              f"{t[f'pair1 {label}'] / base:13.3f} {shortening[label]:18.3f}")


if __name__ == "__main__":
    main()
