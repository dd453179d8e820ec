"""Figure ``density``: the learned density ``p_1(x)`` on a grid, from the likelihood ODE, beside the
exact one when the model is an oracle of a distribution with a known density."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import torch

from fmcore.pipeline import Pipeline
from fmcore.plots.backend import new_figure, save_png
from fmcore.plots.box import Box
from fmcore.plots.exact import exact_distribution
from fmcore.plots.source import PlotSource


@attrs.frozen
class DensityGrid:
    """``log p`` at the centres of ``R × R`` equal cells of ``box``: ``log_p[j, i]`` at ``(x_i, y_j)``."""

    box: Box
    log_p: np.ndarray

    @property
    def resolution(self) -> int:
        return self.log_p.shape[0]

    def mass(self) -> float:
        """The midpoint rule ``Σ_ij p(x_i, y_j) Δx Δy ≈ ∫_box p``."""
        return float(np.exp(self.log_p).sum() * self.box.cell_area(self.resolution))


def model_density(pipeline: Pipeline, box: Box, resolution: int, *, integrator: str = "heun",
                  steps: int = 20, seed: int = 0) -> DensityGrid:
    """``log p_1`` of the learned flow (``Pipeline.log_prob``, exact divergence) on the grid."""
    points = torch.from_numpy(box.grid(resolution)).to(torch.get_default_dtype())
    log_p = pipeline.log_prob(points, integrator=integrator, steps=steps, divergence="exact", seed=seed)
    return DensityGrid(box, log_p.double().numpy().reshape(resolution, resolution))


def exact_density(pipeline: Pipeline, box: Box, resolution: int) -> DensityGrid | None:
    """The oracle's exact ``log p_{t_end}`` on the grid (``t_end``: where sampling stops, ``1`` on
    CondOT, so ``p_data`` itself), in the data's units; ``None`` when no exact density is known."""
    distribution = exact_distribution(pipeline)
    if not hasattr(distribution, "log_prob"):
        return None
    points = pipeline.units.to_model(torch.from_numpy(box.grid(resolution)))
    t_end = pipeline.field.time_range[1]
    with torch.no_grad():
        log_p = distribution.log_prob(pipeline.path, points.to(pipeline.device, torch.float64), t_end)
    log_p = log_p.cpu().numpy() + pipeline.units.log_det()
    return DensityGrid(box, log_p.reshape(resolution, resolution))


def draw_density(source: PlotSource, file: Path) -> str:
    """The learned density as a heat map over the data's bounding box (padded), the data lightly on
    top; beside it the exact density of an oracle. Returns the caption."""
    source.require_plane("density")
    settings = source.settings
    points = source.points()
    box = Box.around(points)
    learned = model_density(source.pipeline, box, settings.resolution, integrator=settings.density_integrator,
                            steps=settings.density_steps, seed=settings.seed)
    exact = exact_density(source.pipeline, box, settings.resolution)
    panels = [("learned density", learned)] + ([("exact density", exact)] if exact is not None else [])
    top = max(float(np.exp(grid.log_p[np.isfinite(grid.log_p)]).max(initial=0.0)) for _, grid in panels)
    fig = new_figure(4.5 * len(panels), 3.6)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, grid) in zip(axes, panels):
        image = ax.imshow(np.exp(grid.log_p), origin="lower", extent=box.extent, cmap="magma",
                          vmin=0.0, vmax=top or 1.0, interpolation="nearest", aspect="equal")
        ax.scatter(points[:, 0], points[:, 1], s=1, c="white", alpha=0.15, linewidths=0)
        ax.set(title=f"{name} (mass in box {grid.mass():.3f})", xlim=box.extent[:2], ylim=box.extent[2:])
    fig.colorbar(image, ax=list(axes), label="p(x)", shrink=0.8)
    save_png(fig, file)
    r = settings.resolution
    caption = (f"p(x) from the likelihood ODE ({settings.density_integrator}, {settings.density_steps} steps, "
               f"exact divergence) at the centres of {r}×{r} cells; its mass in the box is "
               f"{learned.mass():.3f}")
    return caption + ("" if exact is None else f" (exact: {exact.mass():.3f})")
