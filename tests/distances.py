"""Distribution distances for tests."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist


def wasserstein2(a: np.ndarray, b: np.ndarray) -> float:
    """Exact 2-Wasserstein distance between two equal-size empirical samples (optimal assignment)."""
    cost = cdist(a, b, "sqeuclidean")
    rows, cols = linear_sum_assignment(cost)
    return float(np.sqrt(cost[rows, cols].mean()))
