"""A learned embedding of class labels with a "no label" class, for classifier-free guidance."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from fmcore_networks.time_embedding import SinusoidalTimeEmbedding


class LabelEmbedding(nn.Embedding):
    """``c ↦ E[c]``: one learned vector per class ``0 … K−1`` and one for "no label", index ``K``
    (the ``null_cond`` that :class:`fmcore.Field` passes for guidance). ``cond = None`` is that class."""

    def __init__(self, num_classes: int, dim: int):
        super().__init__(num_classes + 1, dim)
        self.null_class = num_classes

    def forward(self, cond: Tensor | None, batch: int = 1) -> Tensor:  # type: ignore[override]
        """``[B, dim]`` for labels ``cond`` ``[B]``, or ``batch`` copies of the "no label" vector."""
        if cond is None:
            cond = torch.full((batch,), self.null_class, dtype=torch.long, device=self.weight.device)
        return super().forward(cond)


def embed_time_and_label(time_embedding: SinusoidalTimeEmbedding, label_embedding: LabelEmbedding | None,
                         x: Tensor, t: Tensor, cond: Tensor | None) -> Tensor:
    """``e = sin/cos(ω t) + E[c]`` ``[B, dim]`` in ``x``'s dtype (without ``E`` for unlabelled data,
    which then refuse labels)."""
    embedding = time_embedding(t).to(x.dtype)
    if label_embedding is not None:
        return embedding + label_embedding(cond, x.shape[0]).to(x.dtype)
    if cond is not None:
        raise ValueError("this network was built without classes; it cannot take labels")
    return embedding
