"""The network protocol."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from torch import Tensor


@runtime_checkable
class Network(Protocol):
    """A learnable field, in practice a ``torch.nn.Module``: ``net(x, t, cond=None)`` maps data
    ``x`` of shape ``[B, *event_shape]`` and times ``t`` of shape ``[B]`` (optional labels ``cond``)
    to a prediction shaped like ``x``. Its builder receives the data's event shape.
    """

    def __call__(self, x: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor: ...
