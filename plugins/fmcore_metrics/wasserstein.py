"""Metric ``w2``: the exact 2-Wasserstein distance between two empirical distributions."""

from __future__ import annotations

import math

import attrs
import numpy as np
from torch import Tensor

from fmcore import EvalContext, EvalSetup, FmcoreError, Measurement

MAX_POINTS = 10_000  # the n × n float64 cost matrix then takes 800 MB
SUMMARY = "exact 2-Wasserstein distance between samples and reference data (lower is better)"


def wasserstein2(a: Tensor, b: Tensor) -> float:
    """``W₂(μ, ν) = (min_π Σ_ij π_ij ‖a_i − b_j‖²)^{1/2}`` over couplings ``π`` of the uniform weights
    on the points ``a`` ``[n, ...]`` and ``b`` ``[m, ...]``, solved exactly by POT's network simplex
    (``ot.emd2``). For ``n = m`` the optimum is a permutation (Birkhoff)."""
    import ot  # imported here: POT loads in a fraction of a second, and only eval needs it

    x, y = (p.flatten(1).double().numpy() for p in (a, b))
    cost = ot.dist(x, y, metric="sqeuclidean")
    squared, log = ot.emd2(np.full(len(x), 1 / len(x)), np.full(len(y), 1 / len(y)), cost,
                           numItermax=10**9, log=True)
    if log["result_code"] != 1:
        raise FmcoreError(f"metric 'w2': the transport solver did not reach the optimum ({log['warning']})")
    return math.sqrt(max(float(squared), 0.0))


@attrs.frozen
class W2:
    """Exact 2-Wasserstein distance W₂ between samples and data (POT), for at most 10 000 points."""

    def unsupported(self, setup: EvalSetup) -> str | None:
        if setup.n > MAX_POINTS:
            return (f"exact W2 solves an n × n transport problem and takes at most {MAX_POINTS} points, "
                    f"not n = {setup.n} (use -n {MAX_POINTS} or less, or sliced-w2)")
        return None

    def compute(self, context: EvalContext) -> list[Measurement]:
        return [Measurement("w2", wasserstein2(context.samples, context.data), "", SUMMARY)]
