"""Label dropout: training one network for both ``p(x | c)`` and ``p(x)``, so that classifier-free
guidance can mix them at sampling (``Field(guidance=w, null_cond=K)``).

Each label of a batch is replaced, independently with probability ``p``, by the "no label" class
``K = num_classes``; the network then also learns the unconditional model at ``c = K``.
"""

from __future__ import annotations

import attrs
import torch

from fmcore.data import Batch


def drop_labels(batch: Batch, probability: float, null_class: int | None) -> Batch:
    """``batch`` with each label replaced by ``null_class`` with ``probability`` (torch's global
    generator, which the trainer seeds). Unlabelled batches and ``probability = 0`` pass unchanged."""
    if batch.cond is None or probability == 0.0 or null_class is None:
        return batch
    dropped = torch.rand(batch.cond.shape, device=batch.cond.device) < probability
    return attrs.evolve(batch, cond=torch.where(dropped, null_class, batch.cond))
