"""Integrator overhead: each integrator's sampling time against the floor (NFE × one network
forward) and, for Euler, against a hand-written Euler loop, measured interleaved in one run.

    python -m benchmarks.integrators                 # small (3×64) and medium (3×256) MLPs, batch 256 and 4096
    python -m benchmarks.integrators --quick
"""

from __future__ import annotations

import argparse
import platform

import torch

import fmcore
from benchmarks.timing import timed


@torch.inference_mode()
def forwards(net: torch.nn.Module, x: torch.Tensor, calls: int) -> None:
    t = torch.rand(x.shape[0])
    for _ in range(calls):
        net(x, t)


@torch.inference_mode()
def hand_euler(net: torch.nn.Module, x0: torch.Tensor, steps: int) -> torch.Tensor:
    x, h = x0, 1.0 / steps
    for i in range(steps):
        x = x + h * net(x, torch.full((x.shape[0],), i * h))
    return x


def measure(width: int, batch: int, steps: int, repeats: int) -> list[tuple[str, int, float, float | None]]:
    cfg = fmcore.load_config({"data": {"name": "moons", "n": 1000},
                              "network": {"name": "mlp", "width": width, "depth": 3},
                              "train": {"device": "cpu"}})
    pipe = fmcore.Pipeline(cfg)
    net = pipe.network.eval()
    x0 = torch.randn(batch, 2)
    rows = []
    for name in fmcore.get_registry().names("integrator"):
        solver = pipe.integrator_for(name, steps if "steps" in _settings(name) else None)
        with torch.inference_mode():
            nfe = solver.sample(pipe.field, x0).nfe

        def run(solver=solver):
            with torch.inference_mode():
                solver.sample(pipe.field, x0, generator=torch.Generator().manual_seed(0))

        candidates = {"integrator": run, "floor": lambda nfe=nfe: forwards(net, x0, nfe)}
        if name == "euler":
            candidates["hand"] = lambda: hand_euler(net, x0, steps)
        t = timed(candidates, repeats)
        rows.append((name, nfe, t["integrator"] / t["floor"],
                     t["integrator"] / t["hand"] if "hand" in t else None))
    return rows


def _settings(name: str) -> set[str]:
    import attrs

    return {f.name for f in attrs.fields(fmcore.get_registry().resolve("integrator", name).component.settings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="only the small MLP at batch 256")
    args = parser.parse_args()
    sizes = [(64, 256)] if args.quick else [(64, 256), (64, 4096), (256, 256), (256, 4096)]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.processor() or platform.machine()}")
    print("| MLP | batch | integrator | NFE | time / (NFE × forward) | time / hand-written Euler |")
    print("|---|---|---|---|---|---|")
    for width, batch in sizes:
        for name, nfe, floor, hand in measure(width, batch, args.steps, args.repeats):
            hand_text = f"{hand:.3f}" if hand is not None else ""
            print(f"| 3×{width} | {batch} | {name} | {nfe} | {floor:.3f} | {hand_text} |")


if __name__ == "__main__":
    main()
