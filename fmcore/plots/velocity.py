"""Figure ``field``: the learned velocity ``u_t(x)`` (from any target, through the Field) as arrows at
chosen times, over where the marginal ``p_t`` puts its mass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from fmcore.pipeline import Pipeline
from fmcore.plots.backend import new_figure, save_png
from fmcore.plots.box import Box
from fmcore.plots.source import PlotSource


def velocity_on_grid(pipeline: Pipeline, t: float, box: Box, arrows: int) -> tuple[np.ndarray, np.ndarray]:
    """Points ``[A·A, 2]`` at the cell centres of ``box`` and ``u_t`` there ``[A·A, 2]``, in the data's
    units: with ``y`` the model's coordinates, ``dx/dt = x(y + v) − x(y)`` for the affine ``x(y)``."""
    points = torch.from_numpy(box.grid(arrows)).to(torch.get_default_dtype())
    units = pipeline.units
    y = units.to_model(points)
    with torch.inference_mode():
        v = pipeline.field.velocity(y.to(pipeline.device), t).cpu()
    return points.numpy(), (units.to_data(y + v) - units.to_data(y)).numpy()


def marginal_points(source: PlotSource, t: float) -> np.ndarray:
    """Draws of ``p_t``: ``x_t = path.sample(z, t, ε)`` for the data points ``z``, in the data's units."""
    pipeline = source.pipeline
    z = pipeline.units.to_model(torch.from_numpy(source.points()).to(torch.get_default_dtype()))
    z = z.to(pipeline.device)
    noise = pipeline.path.sample_noise(z, generator=source.generator(offset=1))
    x_t = pipeline.path.sample(z, torch.full((z.shape[0],), t, device=z.device, dtype=z.dtype), noise)
    return pipeline.units.to_data(x_t.cpu()).numpy()


def draw_field(source: PlotSource, file: Path) -> str:
    """One panel per time in ``settings.times`` (held inside the field's time range), each with arrows
    coloured by speed over the 1–99 percentile box of ``p_t``'s draws, shown faintly. Returns the caption."""
    source.require_plane("field")
    t_start, t_end = source.pipeline.field.time_range
    times = [min(max(t, t_start), t_end) for t in source.settings.times]
    fig = new_figure(3.6 * len(times), 3.6)
    axes = fig.subplots(1, len(times), squeeze=False)[0]
    for ax, t, asked in zip(axes, times, source.settings.times):
        draws = marginal_points(source, t)
        box = Box.around(draws, pad=0.1, tail=1.0)
        points, velocity = velocity_on_grid(source.pipeline, t, box, source.settings.arrows)
        ax.scatter(draws[:, 0], draws[:, 1], s=2, c="grey", alpha=0.35, linewidths=0)
        ax.quiver(points[:, 0], points[:, 1], velocity[:, 0], velocity[:, 1], np.hypot(*velocity.T),
                  cmap="viridis", angles="xy")
        ax.set(title=f"t = {t:.3g}" + ("" if t == asked else f" (asked {asked:g})"),
               xlim=box.extent[:2], ylim=box.extent[2:])
        ax.set_aspect("equal")
    save_png(fig, file)
    held = any(t != asked for t, asked in zip(times, source.settings.times))
    return ("learned velocity u_t(x) at the chosen times, arrows coloured by speed, over draws of p_t (grey)"
            + (f"; times outside the field's range [{t_start:g}, {t_end:g}] were moved to its ends" if held else ""))
