"""Figure ``samples``: the model's samples beside the data, drawn as suits their shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from fmcore.plots.backend import new_figure, save_png
from fmcore.plots.image_grid import MAX_IMAGES, save_image_grid
from fmcore.plots.scatter import save_scatter
from fmcore.plots.source import PlotSource

CLASS_ROWS = 10


def draw_samples(source: PlotSource, file: Path) -> str:
    """Images: a grid (one row per class for labelled data); 2-D points: scatter plots; 1-D: histograms;
    anything else: a scatter of the first two coordinates. Returns the caption."""
    shape = source.pipeline.event_shape
    if len(shape) == 3 and shape[0] in (1, 3):
        return _images(source, file)
    reference = source.reference
    samples = source.samples.flatten(1).numpy()
    data = None if reference is None else reference.x.flatten(1).numpy()
    against = "" if reference is None else f" beside {len(data)} points of the {reference.origin}"
    title = _title(source)
    if samples.shape[1] == 1:
        _histograms(samples[:, 0], None if data is None else data[:, 0], file, title)
        return f"{len(samples)} samples{against}, as histograms of density"
    if samples.shape[1] == 2:
        save_scatter(samples, data, file, title)
        return f"{len(samples)} samples{against}"
    save_scatter(samples[:, :2], None if data is None else data[:, :2], file,
                 f"{title}: coordinates 1 and 2 of {samples.shape[1]}")
    return f"{len(samples)} samples{against}: only the first two of {samples.shape[1]} coordinates are shown"


def _title(source: PlotSource) -> str:
    table = source.pipeline.config.integrator.to_dict()
    steps = f", {table['steps']} steps" if "steps" in table else ""
    return f"integrator {table['name']}{steps}"


def _images(source: PlotSource, file: Path) -> str:
    classes = source.pipeline.context.num_classes
    reference = source.reference
    if not classes:
        samples = source.pipeline.sample(min(source.settings.n, MAX_IMAGES), seed=source.settings.seed).numpy()
        data = None if reference is None else reference.x[:MAX_IMAGES].numpy()
        save_image_grid(samples, data, file, _title(source))
        against = "" if reference is None else f" beside {len(data)} images of the {reference.origin}"
        return f"{len(samples)} samples{against}"
    shown = min(classes, CLASS_ROWS)
    per_class = MAX_IMAGES // shown
    labels = torch.arange(shown).repeat_interleave(per_class)
    samples = source.pipeline.sample(len(labels), seed=source.settings.seed, cond=labels).numpy()
    data = None
    if reference is not None and reference.labels is not None:
        data = _by_class(reference.x.numpy(), reference.labels.numpy(), shown, per_class)
    save_image_grid(samples, data, file, f"{_title(source)}: one row per class", columns=per_class)
    more = "" if shown == classes else f" (the first {shown} of {classes} classes)"
    against = "" if data is None else ", beside the data"
    return f"{per_class} samples per class, one row per class{more}{against}"


def _by_class(images: np.ndarray, labels: np.ndarray, classes: int, per_class: int) -> np.ndarray:
    """Up to ``per_class`` images of each class in rows, missing ones left blank (NaN)."""
    rows = np.full((classes * per_class, *images.shape[1:]), np.nan)
    for label in range(classes):
        chosen = images[labels == label][:per_class]
        rows[label * per_class : label * per_class + len(chosen)] = chosen
    return rows


def _histograms(samples: np.ndarray, data: np.ndarray | None, file: Path, title: str) -> None:
    both = samples if data is None else np.concatenate([samples, data])
    low, high = np.percentile(both, [0.5, 99.5])
    bins = np.linspace(low, high, 61)
    fig = new_figure(5.5, 3.2)
    ax = fig.subplots()
    ax.hist(samples, bins, density=True, histtype="stepfilled", alpha=0.5, label="samples")
    if data is not None:
        ax.hist(data, bins, density=True, histtype="step", color="black", label="data")
    ax.set(title=title, xlabel="x", ylabel="density")
    ax.legend(frameon=False)
    save_png(fig, file)
