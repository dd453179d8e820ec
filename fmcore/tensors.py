"""Small tensor helpers shared by the protocols: broadcasting time against data."""

from __future__ import annotations

import torch
from torch import Tensor


def as_time(t: Tensor | float, x: Tensor) -> Tensor:
    """``t`` as a ``[B]`` tensor on ``x``'s device and dtype (a scalar or 0-d tensor is broadcast)."""
    if isinstance(t, Tensor) and t.ndim == 1 and t.dtype == x.dtype and t.device == x.device:
        if t.shape[0] == x.shape[0]:
            return t  # the common case inside integrators: nothing to convert
    t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
    if t.ndim == 0:
        return t.expand(x.shape[0])
    if t.shape != (x.shape[0],):
        raise ValueError(f"time has shape {tuple(t.shape)}; expected [] or [{x.shape[0]}]")
    return t


def expand_time(t: Tensor, x: Tensor) -> Tensor:
    """``t`` of shape ``[B]`` (or ``[]``) viewed as ``[B, 1, ..., 1]`` to broadcast against ``x``."""
    t = as_time(t, x)
    return t.reshape(t.shape[0], *([1] * (x.ndim - 1)))
