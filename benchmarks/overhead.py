"""Framework overhead: fmcore's training and sampling against hand-written PyTorch loops.

Both sides use the same MLP (copied weights), batch size and step count, measured in one run,
interleaved and repeated; the ratios (fmcore / hand-written) are what to read, not the times.

    python -m benchmarks.overhead --width 64 --batch 256
"""

from __future__ import annotations

import argparse
import copy

import torch

import fmcore
from benchmarks.timing import timed


def hand_train(net: torch.nn.Module, data: torch.Tensor, steps: int, batch: int) -> None:
    """Conditional flow matching on CondOT, written out: x_t = t z + (1 − t) ε, target z − ε."""
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    for _ in range(steps):
        z = data[torch.randint(len(data), (batch,))]
        eps = torch.randn_like(z)
        t = torch.rand(batch)
        x_t = t[:, None] * z + (1 - t[:, None]) * eps
        loss = (net(x_t, t) - (z - eps)).square().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


@torch.inference_mode()
def hand_euler(net: torch.nn.Module, n: int, steps: int) -> torch.Tensor:
    x = torch.randn(n, 2)
    h = 1.0 / steps
    for i in range(steps):
        x = x + h * net(x, torch.full((n,), i * h))
    return x


@torch.inference_mode()
def forward_floor(net: torch.nn.Module, n: int, calls: int) -> None:
    x, t = torch.randn(n, 2), torch.rand(n)
    for _ in range(calls):
        net(x, t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--train-steps", type=int, default=200)
    parser.add_argument("--sample-steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cfg = fmcore.load_config({
        "data": {"name": "moons", "n": 20_000},
        "network": {"name": "mlp", "width": args.width, "depth": args.depth},
        "integrator": {"name": "euler", "steps": args.sample_steps},
        "train": {"steps": args.train_steps, "batch_size": args.batch, "ema_decay": 0.0,
                  "grad_clip": 0.0, "log_every": args.train_steps, "device": "cpu"},
    })
    pipe = fmcore.Pipeline(cfg)
    net = copy.deepcopy(pipe.network)
    data = pipe.dataset.x
    n = args.batch
    t = timed({
        "train_fm": lambda: pipe.train(),
        "train_hand": lambda: hand_train(net, data, args.train_steps, args.batch),
        "sample_fm": lambda: pipe.sample(n, integrator="euler", steps=args.sample_steps),
        "sample_hand": lambda: hand_euler(net, n, args.sample_steps),
        "floor": lambda: forward_floor(net, n, args.sample_steps),
    }, args.repeats)
    print(f"MLP {args.depth}x{args.width}, batch {args.batch}, torch threads {torch.get_num_threads()}")
    print(f"training  {args.train_steps} steps: fmcore / hand-written = {t['train_fm'] / t['train_hand']:.3f}")
    print(f"sampling  euler {args.sample_steps} steps: fmcore / hand-written = {t['sample_fm'] / t['sample_hand']:.3f}, "
          f"fmcore / (NFE x forward) = {t['sample_fm'] / t['floor']:.3f}")


if __name__ == "__main__":
    main()
