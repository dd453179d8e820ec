"""The coupling protocol: how training pairs data with noise."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from torch import Tensor


@runtime_checkable
class Coupling(Protocol):
    """A joint distribution ``q(z, ε)`` of data and noise whose marginals are ``p_data`` and the
    path's noise distribution, realised on a batch as a pairing.

    Given data ``z`` and independent noise ``ε``, both ``[B, ...]``, ``pair`` returns indices ``π`` of
    shape ``[B]`` such that ``(z_i, ε_{π_i})`` are the coupled pairs. The noise is reindexed, never the
    data, so labels stay with their data. ``π = (0, …, B−1)`` — returned as ``None``, so that no
    gather is spent on it — is the independent coupling ``q = p_data ⊗ p_noise``; a permutation keeps every noise sample once, so the noise marginal is
    exact; indices drawn with replacement keep it in expectation.

    The conditional flow-matching loss ``E_{t, (z,ε)~q} ‖u_θ(x_t, t) − u_t(x_t | z, ε)‖²`` with
    ``x_t = α_t z + σ_t ε`` is minimised by ``u_t(x) = E_q[u_t(x_t | z, ε) | x_t = x]``, a field whose
    flow carries the noise marginal at ``t = 0`` to ``p_data`` at ``t = 1`` for any such ``q`` (Tong et
    al. 2023; Pooladian et al. 2023). Couplings that pair nearby points make that flow straighter.

    With labels ``cond`` (``[B]``) a coupling pairs only within a class, so that given its label a
    data point's noise is still distributed as ``p_noise``. Randomness comes from torch's global
    generator (which the trainer seeds and checkpoints).
    """

    def pair(self, z: Tensor, noise: Tensor, cond: Tensor | None = None) -> Tensor | None:
        """Indices ``π`` (``[B]``, int64, on ``z``'s device) into ``noise``: ``(z_i, noise[π_i])``;
        ``None`` for the identity."""
        ...
