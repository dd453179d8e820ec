"""The data-set protocol."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from torch import Tensor

from fmcore.data import Batch


@runtime_checkable
class Dataset(Protocol):
    """A finite sample ``{z_i} ~ p_data`` with event shape ``event_shape`` and, for labelled data,
    ``num_classes`` classes. ``get(indices)`` returns the batch at those (int64) indices; the trainer
    decides the order (:class:`fmcore.data.EpochOrder`), so runs resume exactly."""

    event_shape: tuple[int, ...]
    num_classes: int | None

    def __len__(self) -> int: ...

    def get(self, indices: Tensor) -> Batch: ...
