"""Metric ``mmd``: the unbiased squared maximum mean discrepancy with Gaussian (RBF) kernels."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore import EvalContext, EvalSetup, Measurement, setting

MEDIAN_POINTS = 1000  # reference points the median heuristic looks at
BLOCK = 1024  # rows of a kernel matrix held at once


def _positive(instance: object, attribute: attrs.Attribute, value: tuple[float, ...]) -> None:
    if any(not h > 0 for h in value):
        raise ValueError(f"every bandwidth must be positive, got {list(value)}")


def median_distance(x: Tensor) -> float:
    """The median heuristic: the median of ``‖x_i − x_j‖`` over pairs ``i < j`` of the first
    ``MEDIAN_POINTS`` points ``x`` ``[n, D]`` (the mean of the middle two for an even count)."""
    head = x[:MEDIAN_POINTS]
    distances = torch.cdist(head, head)
    upper = torch.triu_indices(len(head), len(head), offset=1)
    return float(torch.quantile(distances[upper[0], upper[1]], 0.5))


def kernel_sum(x: Tensor, y: Tensor, bandwidths: list[float]) -> float:
    """``Σ_ij k(x_i, y_j)`` with ``k(x, y) = Σ_h exp(−‖x − y‖² / (2h²))``, ``BLOCK`` rows at a time."""
    total = 0.0
    for rows in x.split(BLOCK):
        squared = (rows.square().sum(1, keepdim=True) + y.square().sum(1) - 2 * rows @ y.T).clamp(min=0)
        total += sum(float(torch.exp(-squared / (2 * h * h)).sum()) for h in bandwidths)
    return total


def mmd2_unbiased(a: Tensor, b: Tensor, bandwidths: list[float]) -> float:
    """``MMD²_u = Σ_{i≠j} k(a_i, a_j)/(m(m−1)) + Σ_{i≠j} k(b_i, b_j)/(n(n−1)) − 2 Σ_ij k(a_i, b_j)/(mn)``
    (Gretton et al. 2012): unbiased for ``MMD² = ‖E φ(a) − E φ(b)‖²``, which is 0 exactly when the
    distributions agree (the kernel is characteristic), so it is negative about half of the time
    for equal distributions. ``k(x, x) = len(bandwidths)`` is taken out of the sums over ``i ≠ j``."""
    x, y = a.flatten(1).double(), b.flatten(1).double()
    m, n, diagonal = len(x), len(y), len(bandwidths)
    within_x = (kernel_sum(x, x, bandwidths) - m * diagonal) / (m * (m - 1))
    within_y = (kernel_sum(y, y, bandwidths) - n * diagonal) / (n * (n - 1))
    return within_x + within_y - 2 * kernel_sum(x, y, bandwidths) / (m * n)


@attrs.frozen
class MMD:
    """Unbiased MMD² with RBF kernels; bandwidth by the median heuristic on the data (default)."""

    bandwidths: tuple[float, ...] = setting((), "RBF bandwidths h, the kernel being the sum over them "
                                            "(empty: one, the median distance between reference points)",
                                            validator=_positive)

    def unsupported(self, setup: EvalSetup) -> str | None:
        return None if setup.n >= 2 else "the unbiased estimate needs at least 2 points"

    def compute(self, context: EvalContext) -> list[Measurement]:
        bandwidths = list(self.bandwidths) or [median_distance(context.data.flatten(1).double())]
        value = mmd2_unbiased(context.samples, context.data, bandwidths)
        listing = ", ".join(f"{h:.4g}" for h in bandwidths)
        how = "the median heuristic" if not self.bandwidths else "the settings"
        return [Measurement("mmd", value, "", f"unbiased MMD² with the sum of RBF kernels of bandwidth "
                            f"{listing} (from {how}); ≈ 0 for equal distributions (lower is better)")]
