"""The independent coupling: each data point with the noise drawn for it."""

from __future__ import annotations

import attrs
from torch import Tensor


@attrs.frozen
class Independent:
    """Independent pairs (z_i, ε_i): q(z, ε) = p_data(z) p_noise(ε); π is the identity (``None``)."""

    def pair(self, z: Tensor, noise: Tensor, cond: Tensor | None = None) -> None:
        return None
