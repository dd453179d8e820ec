"""Random sub-batches on which a coupling is solved, to bound its cost on large batches."""

from __future__ import annotations

import math

import attrs
import torch
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence


@attrs.frozen
class Blocks:
    """A partition of a batch's indices into blocks ``S_k``, padded into one table:
    ``table[k, :sizes[k]]`` holds ``S_k`` (the rest of the row is padding)."""

    table: Tensor
    sizes: list[int]

    @classmethod
    def random(cls, size: int, max_size: int, cond: Tensor | None, device: torch.device) -> Blocks:
        """A random partition of ``range(size)`` into blocks of at most ``max_size`` indices.

        Without labels there are ``⌈size/max_size⌉`` blocks; with labels ``cond`` (``[size]``) each
        class is split on its own into ``⌈n_c/max_size⌉`` blocks, so a block never mixes classes.
        Within a class (or the batch) block sizes differ by at most one. Draws one permutation from
        torch's global generator.
        """
        order = torch.randperm(size, device=device)
        groups = [order]
        if cond is not None:
            order = order[torch.argsort(cond[order], stable=True)]
            groups = order.split(torch.unique_consecutive(cond[order], return_counts=True)[1].tolist())
        blocks = [block for group in groups for block in group.tensor_split(math.ceil(len(group) / max_size))]
        return cls(pad_sequence(blocks, batch_first=True), [len(block) for block in blocks])

    def costs(self, z: Tensor, noise: Tensor) -> Tensor:
        """The cost matrices ``C_ij = ‖z_i − ε_j‖²``, ``i, j ∈ S_k``, of flattened samples, all at
        once: ``[k, m, m]``, block ``k``'s in ``[k, :sizes[k], :sizes[k]]``."""
        return squared_distances(z.flatten(1)[self.table], noise.flatten(1)[self.table])

    def join(self, columns: Tensor) -> Tensor:
        """Indices ``π`` with ``π[S_k[r]] = S_k[c_kr]``, row ``r`` of block ``k`` taking its column
        ``c_kr = columns[k, r]`` (``[k, m]``; entries past ``sizes[k]`` are ignored)."""
        real = torch.arange(self.table.shape[1], device=self.table.device) < torch.tensor(
            self.sizes, device=self.table.device)[:, None]
        indices = torch.empty(sum(self.sizes), dtype=torch.long, device=self.table.device)
        indices[self.table[real]] = self.table.gather(1, columns.to(self.table.device))[real]
        return indices


def squared_distances(a: Tensor, b: Tensor) -> Tensor:
    """``C_ij = ‖a_i − b_j‖² = ‖a_i‖² + ‖b_j‖² − 2 a_i·b_j`` (≥ 0) for ``[..., n, D]`` inputs, in at
    least single precision (also under autocast)."""
    dtype = torch.promote_types(a.dtype, torch.float32)
    a, b = a.detach().to(dtype), b.detach().to(dtype)
    with torch.autocast(a.device.type, enabled=False):
        cost = a.square().sum(-1)[..., :, None] + b.square().sum(-1)[..., None, :] - 2 * a @ b.mT
    return cost.clamp_min(0.0)
