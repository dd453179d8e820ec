"""A scatter plot of 2-D samples beside the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fmcore.errors import FmcoreError
from fmcore.plots.backend import new_figure, save_png


def save_scatter(samples: np.ndarray, data: np.ndarray | None, file: str | Path, title: str) -> None:
    """Write a PNG with the samples (and, if given, the data) as side-by-side scatter plots on the
    same axes: the 0.5–99.5 percentiles of all points, padded by 10%."""
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise FmcoreError(f"--plot draws 2-D samples only; these have shape {list(samples.shape[1:])}")
    panels = [("samples", samples)] + ([("data", data)] if data is not None else [])
    fig = new_figure(4.5 * len(panels), 3.2)
    axes = fig.subplots(1, len(panels), squeeze=False)
    both = np.concatenate([p for _, p in panels])
    low, high = np.percentile(both, 0.5, axis=0), np.percentile(both, 99.5, axis=0)
    pad = 0.1 * (high - low)
    for ax, (name, points) in zip(axes[0], panels):
        ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.5, linewidths=0)
        ax.set(title=name, xlim=(low[0] - pad[0], high[0] + pad[0]), ylim=(low[1] - pad[1], high[1] + pad[1]))
        ax.set_aspect("equal")
    fig.suptitle(title)
    save_png(fig, file)
