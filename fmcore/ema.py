"""Exponential moving average of network weights."""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    """``θ̄ ← d_k θ̄ + (1 − d_k) θ`` after step ``k``, with the warm-up ``d_k = min(d, (1+k)/(10+k))``
    so that early averages are not dominated by the initial weights. Buffers are copied."""

    def __init__(self, network: nn.Module, decay: float):
        self.decay = decay
        self.network = copy.deepcopy(network).requires_grad_(False)
        self._params = list(self.network.parameters())
        self._buffers = list(self.network.buffers())

    @torch.no_grad()
    def update(self, network: nn.Module, step: int) -> None:
        decay = min(self.decay, (1 + step) / (10 + step))
        torch._foreach_lerp_(self._params, list(network.parameters()), 1.0 - decay)
        for mine, theirs in zip(self._buffers, network.buffers()):
            mine.copy_(theirs)
