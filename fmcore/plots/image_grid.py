"""A grid of image samples beside a grid of training images."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from fmcore.errors import FmcoreError
from fmcore.plots.backend import new_figure, save_png

MAX_IMAGES = 100


def mosaic(images: np.ndarray, columns: int) -> np.ndarray:
    """Images ``[N, C, H, W]`` tiled row by row into one ``[rows·(H+1) − 1, columns·(W+1) − 1, C]``
    array, with a one-pixel gap (NaN) between tiles."""
    n, c, h, w = images.shape
    rows = math.ceil(n / columns)
    tiled = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1, c), np.nan)
    for i, image in enumerate(images):
        r, q = divmod(i, columns)
        tiled[r * (h + 1) : r * (h + 1) + h, q * (w + 1) : q * (w + 1) + w] = image.transpose(1, 2, 0)
    return tiled


def save_image_grid(samples: np.ndarray, data: np.ndarray | None, file: str | Path, title: str,
                    columns: int | None = None) -> None:
    """Write a PNG with up to 100 samples ``[N, C, H, W]`` (C = 1: grey, C = 3: RGB) and, if given,
    as many data images, each panel a grid of ``columns`` images a row (default: square) with white
    gaps (and for NaN images). Grey values span the 0.5–99.5 percentiles of everything shown."""
    if samples.ndim != 4 or samples.shape[1] not in (1, 3):
        raise FmcoreError(f"--plot draws images [C, H, W] with 1 or 3 channels; these samples have "
                          f"shape {list(samples.shape[1:])}")
    panels = [("samples", samples[:MAX_IMAGES])] + ([("data", data[:MAX_IMAGES])] if data is not None else [])
    low, high = np.nanpercentile(np.concatenate([p.ravel() for _, p in panels]), [0.5, 99.5])
    columns = columns or math.ceil(math.sqrt(len(panels[0][1])))
    fig = new_figure(4 * len(panels), 4.3)
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (name, images) in zip(axes[0], panels):
        grid = np.nan_to_num(np.clip((mosaic(images, columns) - low) / max(high - low, 1e-12), 0, 1), nan=1.0)
        ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=1,
                  interpolation="nearest")
        ax.set(title=name, xticks=[], yticks=[])
    fig.suptitle(title)
    save_png(fig, file)
