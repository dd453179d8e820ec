"""Shared fixtures."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def npy_file(tmp_path):
    """A small valid .npy data file ``[64, 3]``."""
    path = tmp_path / "data.npy"
    np.save(path, np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32))
    return path
