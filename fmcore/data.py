"""Batches of data and the stateless, resumable order in which a data set is visited."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore.standardization import Standardization


@attrs.frozen
class Batch:
    """Samples ``x ~ p_data`` of shape ``[B, *event_shape]`` and optional labels ``cond`` of shape ``[B]``."""

    x: Tensor
    cond: Tensor | None = None

    def to(self, device: torch.device) -> Batch:
        if self.x.device == device:
            return self
        cond = None if self.cond is None else self.cond.to(device, non_blocking=True)
        return Batch(self.x.to(device, non_blocking=True), cond)


@attrs.define
class EpochOrder:
    """Which indices make up training batch number ``step``: shuffled epochs, each a fresh permutation
    drawn from ``(seed, epoch)``. A pure function of ``step``, so a resumed run sees the same batches.

    An epoch holds ``size // batch_size`` whole batches (the remainder is dropped); when the data set is
    smaller than a batch, each batch is drawn with replacement from ``(seed, step)``.
    """

    size: int
    batch_size: int
    seed: int
    _epoch: int = attrs.field(default=-1, init=False)
    _perm: Tensor | None = attrs.field(default=None, init=False)

    def indices(self, step: int) -> Tensor:
        per_epoch = self.size // self.batch_size
        if per_epoch == 0:
            gen = torch.Generator().manual_seed(_mix(self.seed, step, salt=1))
            return torch.randint(self.size, (self.batch_size,), generator=gen)
        epoch, position = divmod(step, per_epoch)
        if epoch != self._epoch:
            gen = torch.Generator().manual_seed(_mix(self.seed, epoch, salt=0))
            self._perm = torch.randperm(self.size, generator=gen)
            self._epoch = epoch
        assert self._perm is not None
        start = position * self.batch_size
        return self._perm[start : start + self.batch_size]


def _mix(seed: int, counter: int, salt: int) -> int:
    """A 63-bit seed derived from ``(seed, counter, salt)`` (SplitMix64-style mixing)."""
    z = (seed * 0x9E3779B97F4A7C15 + counter * 0xBF58476D1CE4E5B9 + salt) & (2**64 - 1)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
    return (z ^ (z >> 31)) & (2**63 - 1)


class TensorDataset:
    """A data set held in memory: ``x`` of shape ``[N, *event_shape]`` and optional integer ``labels``
    ``[N]`` in ``0 .. num_classes − 1``.

    ``standardization``, when given, says that ``x`` holds standardized values ``(x − μ)/s`` of the
    data (:class:`~fmcore.standardization.Standardization`): the pipeline saves it with a run and
    maps samples and densities back to the data's units.
    """

    def __init__(self, x: Tensor, labels: Tensor | None = None, num_classes: int | None = None,
                 standardization: Standardization | None = None):
        if labels is not None and labels.shape != (x.shape[0],):
            raise ValueError(f"labels have shape {tuple(labels.shape)}, expected [{x.shape[0]}]")
        self.x = x
        self.standardization = standardization
        self.labels = labels
        self.num_classes = num_classes if labels is not None else None
        self.event_shape: tuple[int, ...] = tuple(x.shape[1:])

    def __len__(self) -> int:
        return self.x.shape[0]

    def get(self, indices: Tensor) -> Batch:
        cond = None if self.labels is None else self.labels.index_select(0, indices)
        return Batch(self.x.index_select(0, indices), cond)
