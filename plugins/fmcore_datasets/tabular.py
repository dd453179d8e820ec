"""Numeric arrays read from a user's file, optionally standardized per feature."""

from __future__ import annotations

import numpy as np
import torch

from fmcore import TensorDataset
from fmcore.standardization import Standardization


def tabular_dataset(values: np.ndarray, standardize: bool, labels: np.ndarray | None = None) -> TensorDataset:
    """Float32 data from ``values`` ``[N, ...]``: as they are, or ``(x − μ)/s`` per feature (fitted
    in float64 and kept with the data set). Labels ``0 … K−1`` give ``K = max + 1`` classes."""
    x = torch.from_numpy(np.asarray(values, dtype=np.float64))
    standardization = Standardization.fit(x) if standardize else None
    if standardization is not None:
        x = standardization.forward(x)
    cond = None if labels is None else torch.from_numpy(labels).long()
    classes = None if cond is None else int(cond.max()) + 1
    return TensorDataset(x.to(torch.float32), cond, classes, standardization)
