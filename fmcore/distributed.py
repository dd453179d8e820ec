"""Data-parallel training across processes: torchrun's environment, DistributedDataParallel, and the
few collectives the training loop needs.

``torchrun --nproc_per_node N -m fmcore train CONFIG`` starts N processes and describes the group in
each one's environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``).
:func:`init_from_environment` joins it (NCCL on CUDA, gloo on CPU; process ``LOCAL_RANK`` uses
``cuda:LOCAL_RANK``); the trainer then reads :func:`ranks` and wraps the network in DDP, which averages
the gradients: ``g = (1/W) Σ_r g_r``.
"""

from __future__ import annotations

import os

import attrs
import torch
import torch.distributed as dist
from torch import Tensor, nn

from fmcore.errors import FmcoreError

_ENVIRONMENT = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


@attrs.frozen
class Ranks:
    """This process's place among ``world_size`` training processes."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """Rank 0, the one that logs and writes the run directory."""
        return self.rank == 0


def ranks() -> Ranks:
    """The place of this process in the initialised process group (rank 0 of 1 without one)."""
    if not (dist.is_available() and dist.is_initialized()):
        return Ranks()
    return Ranks(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def init_from_environment(device: str) -> Ranks:
    """Join the process group torchrun describes in the environment; a single process (no
    ``WORLD_SIZE``, or 1) joins nothing. ``device`` is the ``[train].device`` setting."""
    if int(os.environ.get("WORLD_SIZE", "1")) == 1 or dist.is_initialized():
        return ranks()
    missing = [name for name in _ENVIRONMENT if name not in os.environ]
    if missing:
        raise FmcoreError(f"WORLD_SIZE is set but {', '.join(missing)} is not: start distributed "
                          "training with torchrun (see docs/training.md)")
    cuda = device != "cpu" and torch.cuda.is_available()
    if cuda:
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group("nccl" if cuda else "gloo")
    return ranks()


def shutdown() -> None:
    """Leave the process group, if one was joined."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def data_parallel(network: nn.Module, place: Ranks, device: torch.device) -> nn.Module:
    """``network`` wrapped in DistributedDataParallel when there are several processes (which
    broadcasts rank 0's weights to all), else ``network`` itself."""
    if place.world_size == 1:
        return network
    ids = [torch.cuda.current_device()] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(network, device_ids=ids)


def sum_over_ranks(tensor: Tensor, place: Ranks) -> Tensor:
    """``Σ_r tensor_r`` in place on every process (the tensor itself with one process)."""
    if place.world_size > 1:
        dist.all_reduce(tensor)
    return tensor


def barrier(place: Ranks) -> None:
    """Wait until every process gets here."""
    if place.world_size > 1:
        dist.barrier()


class StopVote:
    """Agreement to stop at one step: each step, every process adds its own wish (a Ctrl-C it
    received) to an all-reduce (max) started in the background on a CPU (gloo) group, and reads the
    one it started a step earlier. Every process reads the same answer at the same step, so all stop
    together, one step after the first wish, and the step loop never waits on it."""

    def __init__(self, place: Ranks):
        self._group = dist.new_group(backend="gloo") if place.world_size > 1 else None
        self._flag = torch.zeros(1, dtype=torch.int32)
        self._work: dist.Work | None = None

    def __call__(self, wish: bool) -> bool:
        if self._group is None:
            return wish
        agreed = False
        if self._work is not None:
            self._work.wait()
            agreed = bool(self._flag.item())
        self._flag = torch.tensor([int(wish)], dtype=torch.int32)
        self._work = dist.all_reduce(self._flag, op=dist.ReduceOp.MAX, group=self._group, async_op=True)
        return agreed

    def close(self) -> None:
        """Finish the vote in flight (before the process group goes away)."""
        if self._work is not None:
            self._work.wait()
            self._work = None
