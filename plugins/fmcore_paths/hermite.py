"""A C¹ monotone cubic Hermite interpolant (Fritsch & Carlson, 1980), in float64 torch."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import torch
from torch import Tensor


def fritsch_carlson_slopes(secants: Tensor) -> Tensor:
    """Slopes ``m_k`` at the K knots from the K − 1 secants ``Δ_k`` that keep every piece monotone.

    ``m_k = (Δ_{k−1} + Δ_k)/2`` inside where both secants have the same sign, else 0; one-sided
    ``Δ`` at the ends. Then on each piece ``(a, b) = (m_k, m_{k+1})/Δ_k`` is pulled into the disc
    ``a² + b² ≤ 9``, which suffices for monotonicity: each knot's slope is scaled by the smaller of
    its two pieces' factors, so one piece's fix never undoes the other's.
    """
    left, right = secants[:-1], secants[1:]
    inner = torch.where(left * right > 0, (left + right) / 2, torch.zeros_like(left))
    slopes = torch.cat([secants[:1], inner, secants[-1:]])
    norm = torch.hypot(slopes[:-1], slopes[1:])
    bound = 3 * secants.abs()
    factor = torch.where(norm > bound, bound / norm, torch.ones_like(norm))
    one = torch.ones(1, dtype=factor.dtype)
    return slopes * torch.minimum(torch.cat([factor, one]), torch.cat([one, factor]))


@attrs.frozen(eq=False)
class MonotoneCubic:
    """The C¹ cubic Hermite interpolant ``p`` through knots ``(t_k, y_k)`` with Fritsch–Carlson slopes.

    On ``[t_k, t_{k+1}]``, with ``h = t_{k+1} − t_k``, ``s = (t − t_k)/h``, ``Δ = y_{k+1} − y_k`` and
    ``a = h m_k``, ``b = h m_{k+1}``: ``p = y_k + a s + (3Δ − 2a − b) s² + (a + b − 2Δ) s³``, which has
    ``p = y_k, y_{k+1}`` and ``dp/dt = m_k, m_{k+1}`` at the ends. Monotone between knots wherever
    the data are. Outside the knots the end pieces are extended.
    """

    times: Tensor
    pieces: Tensor  # [K − 1, 6]: t_k, h, and the coefficients of 1, s, s², s³

    @classmethod
    def through(cls, knots: Sequence[Sequence[float]]) -> MonotoneCubic:
        """The interpolant of ``[[t_0, y_0], [t_1, y_1], ...]`` (t strictly increasing, ≥ 2 knots)."""
        times, values = torch.tensor(knots, dtype=torch.float64).T.contiguous()
        h, rise = torch.diff(times), torch.diff(values)
        slopes = fritsch_carlson_slopes(rise / h)
        a, b = h * slopes[:-1], h * slopes[1:]
        pieces = torch.stack([times[:-1], h, values[:-1], a, 3 * rise - 2 * a - b, a + b - 2 * rise], 1)
        return cls(times, pieces)

    def __call__(self, t: Tensor) -> tuple[Tensor, Tensor]:
        """``p(t)`` and its exact derivative ``p'(t)``, elementwise, in float64 (differentiable in t)."""
        t = t.to(torch.float64)
        times, pieces = self.times.to(t.device), self.pieces.to(t.device)
        k = (torch.searchsorted(times, t.detach(), right=True) - 1).clamp(0, len(pieces) - 1)
        start, h, c0, c1, c2, c3 = pieces[k].unbind(-1)
        s = (t - start) / h
        return c0 + s * (c1 + s * (c2 + s * c3)), (c1 + s * (2 * c2 + 3 * c3 * s)) / h
