"""Quantized data (image pixels) and the model's continuous units in ``[−1, 1]``.

A pixel holds one of ``L`` levels ``k ∈ {0, …, L−1}``; the model sees ``x = 2u − 1`` with

- ``u = (k + U)/L``, ``U ~ Uniform[0, 1)`` drawn afresh for every batch (uniform dequantization), so
  each level fills its cell ``[k/L, (k+1)/L)`` and ``−log₂ P(k) ≈ −log₂(p(x) 2^D L^{−D})``:
  :func:`fmcore.likelihood.bits_per_dim` with ``levels = L``;
- ``u = (k + ½)/L`` without dequantization: the centre of the same cell.

Back to levels: ``k = clip(⌊(x + 1) L/2⌋, 0, L − 1)``, the cell ``x`` falls in (exact for both).
"""

from __future__ import annotations

import torch
from torch import Tensor


def from_levels(k: Tensor, levels: int, dequantize: bool) -> Tensor:
    """Float32 values in ``[−1, 1]`` from integer levels ``k``; noise from torch's global generator."""
    k = k.to(torch.float32)
    offset = torch.rand_like(k) if dequantize else torch.full_like(k, 0.5)
    return 2 * (k + offset) / levels - 1


def to_levels(x: Tensor, levels: int) -> Tensor:
    """The level ``k = clip(⌊(x + 1) L/2⌋, 0, L − 1)`` of continuous values ``x`` (int64)."""
    return torch.floor((x + 1) * (levels / 2)).clamp(0, levels - 1).to(torch.int64)
