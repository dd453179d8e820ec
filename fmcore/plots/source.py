"""What the figures draw from: a pipeline, its run directory, the settings, and shared draws."""

from __future__ import annotations

from functools import cached_property

import attrs
import numpy as np
import torch
from torch import Tensor

from fmcore.errors import DataError
from fmcore.pipeline import Pipeline
from fmcore.plots.reference import Reference, reference
from fmcore.plots.settings import PlotSettings
from fmcore.runs import RunDirectory


class NotDrawn(Exception):
    """A figure does not apply to this model (e.g. a density of images); the message says why."""


@attrs.define(eq=False)
class PlotSource:
    """A pipeline ready to sample, its run directory (``None`` for an oracle config or a bare
    pipeline) and the settings; the draws several figures share are made once, from ``settings.seed``.
    ``notes`` collects what the report should mention (e.g. training data that could not be read)."""

    pipeline: Pipeline
    run: RunDirectory | None
    settings: PlotSettings
    notes: list[str] = attrs.field(factory=list)

    @cached_property
    def reference(self) -> Reference | None:
        """``settings.n`` points to compare with, or ``None`` (with a note) when the data cannot be read."""
        try:
            return reference(self.pipeline, self.settings.n, self.settings.seed)
        except DataError as exc:
            self.notes.append(f"samples are drawn without data beside them: {exc}")
            return None

    @cached_property
    def samples(self) -> Tensor:
        """``settings.n`` unconditional samples in the data's units, with the chosen integrator."""
        return self.pipeline.sample(self.settings.n, seed=self.settings.seed)

    def points(self) -> np.ndarray:
        """Points where the data lie, flattened to ``[N, D]``: the reference, else the samples."""
        x = self.samples if self.reference is None else self.reference.x
        return x.flatten(1).numpy()

    def generator(self, offset: int = 0) -> torch.Generator:
        """A generator on the pipeline's device seeded with ``settings.seed + offset``."""
        return torch.Generator(self.pipeline.device).manual_seed(self.settings.seed + offset)

    def require_plane(self, figure: str) -> None:
        """Raise :class:`NotDrawn` unless the data are points of the plane, ``[2]``."""
        shape = self.pipeline.event_shape
        if shape != (2,):
            raise NotDrawn(f"{figure}: drawn for 2-D points only; these data have event shape {list(shape)}")
