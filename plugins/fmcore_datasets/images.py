"""Images of quantized pixels, served in the model's units ``[−1, 1]`` (see :mod:`fmcore.pixels`)."""

from __future__ import annotations

import torch
from torch import Tensor

from fmcore import Batch
from fmcore.pixels import from_levels


class ImageDataset:
    """Images ``[N, C, H, W]`` of integer levels ``0 … levels − 1`` and optional labels ``[N]``.

    ``get`` returns ``x = 2u − 1`` with ``u = (k + U)/levels`` (``dequantize``: fresh uniform noise per
    batch) or ``u = (k + ½)/levels``. ``levels`` is kept so that a run can map samples back to pixels.
    """

    def __init__(self, pixels: Tensor, levels: int, dequantize: bool, labels: Tensor | None = None,
                 num_classes: int | None = None):
        if pixels.ndim != 4:
            raise ValueError(f"images must be [N, C, H, W], got shape {list(pixels.shape)}")
        if labels is not None and labels.shape != (pixels.shape[0],):
            raise ValueError(f"labels have shape {list(labels.shape)}, expected [{pixels.shape[0]}]")
        self.pixels = pixels.to(torch.uint8 if levels <= 256 else torch.int32)
        self.levels = levels
        self.dequantize = dequantize
        self.labels = labels
        self.num_classes = num_classes if labels is not None else None
        self.event_shape: tuple[int, ...] = tuple(pixels.shape[1:])

    def __len__(self) -> int:
        return self.pixels.shape[0]

    def get(self, indices: Tensor) -> Batch:
        cond = None if self.labels is None else self.labels[indices]
        return Batch(from_levels(self.pixels[indices], self.levels, self.dequantize), cond)
