"""Where training's randomness comes from: one seed per micro-batch.

Before micro-batch ``m`` of optimizer step ``k`` the trainer seeds torch's global generators (CPU and
CUDA) with ``mix(seed, k, m)``; everything random in it — label dropout, the objective's times and
noise, dropout in the network — is drawn from there. ``m = rank · accumulate + j`` counts the
micro-batches of one step over all processes, and micro-batch ``m`` holds the samples
``[m b, (m+1) b)`` of the step's global batch (``b = batch_size / (world_size · accumulate)``).

So the draws are a pure function of ``(seed, step, m)``: a resumed run draws what the uninterrupted
one drew, and runs with the same ``world_size · accumulate`` (e.g. 2 processes, or 1 process
accumulating 2 micro-batches) see the same samples with the same noise and differ only in the order
of floating-point sums.
"""

from __future__ import annotations

import torch

from fmcore.data import _mix


def micro_batch_seed(seed: int, step: int, micro_batch: int) -> int:
    """The seed of micro-batch ``micro_batch`` (counted over processes) of optimizer step ``step``."""
    return _mix(_mix(seed, step, salt=2), micro_batch, salt=3)


def global_generators(device: torch.device) -> list[torch.Generator]:
    """torch's global generators that training draws from: the CPU's, and the CUDA device's."""
    found = [torch.default_generator]
    if device.type == "cuda":
        torch.cuda.init()  # fills torch.cuda.default_generators
        found.append(torch.cuda.default_generators[device.index if device.index is not None
                                                   else torch.cuda.current_device()])
    return found


def seed_micro_batch(generators: list[torch.Generator], seed: int, step: int, micro_batch: int) -> None:
    """Seed ``generators`` for this micro-batch (directly: ``torch.manual_seed`` also queues seeds
    for every other device type, which costs ~100 times more)."""
    value = micro_batch_seed(seed, step, micro_batch)
    for generator in generators:
        generator.manual_seed(value)


def rng_states(device: torch.device) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The global generators' states: CPU, and the CUDA device's when training there."""
    cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    return torch.get_rng_state(), cuda


def set_rng_states(cpu: torch.Tensor, cuda: torch.Tensor | None, device: torch.device) -> None:
    torch.set_rng_state(cpu)
    if cuda is not None and device.type == "cuda":
        torch.cuda.set_rng_state(cuda, device)
