"""Shared fixtures."""

from __future__ import annotations

import numpy as np
import pytest

pytest_plugins = ["fmcore.testing"]  # the plugin authors' fixtures (fmcore_registry, fmcore_device)


@pytest.fixture
def npy_file(tmp_path):
    """A small valid .npy data file ``[64, 3]``."""
    path = tmp_path / "data.npy"
    np.save(path, np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32))
    return path


def pytest_configure(config):
    """One intra-op thread per xdist worker: the workers already fill the cores, and oversubscribed
    OpenMP threads make small networks many times slower."""
    import os

    import torch

    if os.environ.get("PYTEST_XDIST_WORKER"):
        torch.set_num_threads(1)
