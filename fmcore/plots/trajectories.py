"""Figure ``trajectories``: paths of prior draws to samples, coloured by time; for an SDE sampler
also the probability-flow ODE's paths from the same draws."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fmcore.pipeline import Pipeline
from fmcore.plots.backend import new_figure, save_png
from fmcore.plots.source import PlotSource
from fmcore.protocols import Integrator, Solution

ODE_METHOD = "heun"


def record(pipeline: Pipeline, n: int, seed: int, integrator: str | Integrator | None = None) -> Solution:
    """``n`` trajectories ``[K+1, n, *event_shape]`` (data units) at ``times`` ``[K+1]``: the integrator's
    states from the prior draw of ``seed`` to the samples ``Pipeline.sample(n, seed=seed)`` gives."""
    return pipeline.solve(n, integrator=integrator, seed=seed, trajectory=True)


def is_stochastic(pipeline: Pipeline, integrator: Integrator) -> bool:
    """Whether ``integrator`` draws noise: one prior draw carried with two generator seeds ends apart."""
    x0 = pipeline.path.sample_prior((4, *pipeline.event_shape), device=pipeline.device,
                                    generator=torch.Generator(pipeline.device).manual_seed(0))

    def end(seed: int) -> torch.Tensor:
        generator = torch.Generator(pipeline.device).manual_seed(seed)
        return integrator.sample(pipeline.field, x0, generator=generator).x

    with torch.inference_mode():
        return not torch.equal(end(1), end(2))


def draw_trajectories(source: PlotSource, file: Path) -> str:
    """``settings.paths`` trajectories with the chosen integrator (and, when it is stochastic, with the
    probability-flow ODE at the same number of steps, from the same prior draws). Returns the caption."""
    source.require_plane("trajectories")
    pipeline, settings = source.pipeline, source.settings
    table = pipeline.config.integrator.to_dict()
    name = table["name"]
    panels = [(name, record(pipeline, settings.paths, settings.seed))]
    if is_stochastic(pipeline, pipeline.integrator):
        steps = table.get("steps")
        ode = pipeline.integrator_for(ODE_METHOD, steps)
        panels = [(f"SDE: {name}", panels[0][1]),
                  (f"probability-flow ODE: {ODE_METHOD}", record(pipeline, settings.paths, settings.seed, ode))]
    fig = new_figure(4.5 * len(panels) + 0.8, 3.8)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, solution) in zip(axes, panels):
        lines = _draw(ax, solution)
        ax.set(title=title)
    for ax in axes:  # the same limits and equal scales in every panel
        ax.set(xlim=_union(a.get_xlim() for a in axes), ylim=_union(a.get_ylim() for a in axes))
        ax.set_aspect("equal")
    fig.colorbar(lines, ax=list(axes), label="t", shrink=0.8)
    save_png(fig, file)
    kind = "SDE and probability-flow ODE" if len(panels) == 2 else "ODE"
    return (f"{settings.paths} {kind} trajectories from prior draws (grey) to samples (black), "
            f"coloured by time, recorded at {len(panels[0][1].times)} times")


def _draw(ax: Any, solution: Solution) -> Any:
    """Line segments between consecutive states, each coloured by its starting time."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize

    assert solution.trajectory is not None and solution.times is not None
    states = solution.trajectory.flatten(2).cpu().numpy()
    times = solution.times.cpu().double().numpy()
    segments = np.stack([states[:-1], states[1:]], axis=2).reshape(-1, 2, 2)
    colour = np.repeat(times[:-1], states.shape[1])
    lines = LineCollection(segments, array=colour, cmap="viridis", norm=Normalize(times[0], times[-1]),
                           linewidths=0.7, alpha=0.8)
    ax.add_collection(lines)
    ax.scatter(states[0, :, 0], states[0, :, 1], s=6, c="grey", linewidths=0, zorder=3)
    ax.scatter(states[-1, :, 0], states[-1, :, 1], s=6, c="black", linewidths=0, zorder=3)
    ax.autoscale_view()
    return lines


def _union(limits: Iterable[tuple[float, float]]) -> tuple[float, float]:
    lows, highs = zip(*limits)
    return min(lows), max(highs)
