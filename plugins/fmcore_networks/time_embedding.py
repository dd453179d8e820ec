"""Sinusoidal embedding of time."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class SinusoidalTimeEmbedding(nn.Module):
    """``t ↦ [sin(ω_k t), cos(ω_k t)]_k`` with ``dim/2`` frequencies ``ω_k`` spaced geometrically
    from 1 to ``max_frequency`` (t ∈ [0, 1])."""

    def __init__(self, dim: int, max_frequency: float = 1000.0):
        super().__init__()
        if dim % 2:
            raise ValueError(f"time embedding dimension must be even, got {dim}")
        half = dim // 2
        exponents = torch.arange(half, dtype=torch.float64) / max(half - 1, 1)
        self.register_buffer("frequencies", torch.exp(exponents * math.log(max_frequency)).float())

    def forward(self, t: Tensor) -> Tensor:
        angles = t[:, None].to(self.frequencies.dtype) * self.frequencies
        return torch.cat([angles.sin(), angles.cos()], dim=1)
