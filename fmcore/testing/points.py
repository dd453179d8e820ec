"""Reproducible test inputs, and the check that an output has the expected shape, dtype and device."""

from __future__ import annotations

import torch
from torch import Tensor

DTYPES = (torch.float32, torch.float64)


def points(device: str, dtype: torch.dtype, batch: int = 16, event_shape: tuple[int, ...] = (2,),
           t_range: tuple[float, float] = (0.0, 1.0)) -> tuple[Tensor, Tensor, Tensor]:
    """Data ``z`` and noise ``ε`` ``[batch, *event_shape]`` from ``N(0, I)``, and times ``[batch]``
    uniform in the middle 90% of ``t_range``; the same for every call (seed 0, drawn in float64)."""
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(batch, *event_shape, generator=gen, dtype=torch.float64).to(device, dtype)
    eps = torch.randn(batch, *event_shape, generator=gen, dtype=torch.float64).to(device, dtype)
    low, high = t_range
    u = 0.05 + 0.9 * torch.rand(batch, generator=gen, dtype=torch.float64)
    return z, eps, (low + (high - low) * u).to(device, dtype)


def check_placed(out: Tensor, shape: tuple[int, ...], dtype: torch.dtype, device: str, what: str) -> None:
    """``out`` is a tensor of ``shape`` and ``dtype`` on ``device``."""
    assert isinstance(out, Tensor), f"{what}: returned {type(out).__name__}, not a tensor"
    got = (tuple(out.shape), out.dtype, out.device.type)
    assert got == (shape, dtype, torch.device(device).type), (
        f"{what}: shape {list(got[0])}, {got[1]} on {got[2]}; expected {list(shape)}, {dtype} on {device}")
