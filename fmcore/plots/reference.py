"""The points a model's samples are compared with: its data, or an oracle's exact distribution."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore.pipeline import Pipeline
from fmcore.plots.exact import exact_distribution


@attrs.frozen
class Reference:
    """Points ``x`` ``[N, *event_shape]`` in the data's units, their labels ``[N]`` (or ``None``), and
    where they come from (``origin``)."""

    x: Tensor
    labels: Tensor | None
    origin: str


def reference(pipeline: Pipeline, n: int, seed: int) -> Reference:
    """Up to ``n`` points drawn with ``seed``: exact draws from an oracle's mixture, a random subset of
    an oracle's finite data set, or else of the training data set (which may raise a ``DataError``)."""
    generator = torch.Generator(pipeline.device).manual_seed(seed)
    dtype = torch.get_default_dtype()
    distribution = exact_distribution(pipeline)
    if hasattr(distribution, "sample"):
        x = distribution.sample(n, generator=generator).to("cpu", dtype)
        return Reference(pipeline.units.to_data(x), None, "exact distribution")
    if hasattr(distribution, "points"):
        points = distribution.points
        pick = torch.randperm(points.shape[0], generator=generator, device=pipeline.device)[:n]
        return Reference(pipeline.units.to_data(points[pick].to("cpu", dtype)), None, "oracle's data")
    dataset = pipeline.dataset
    pick = torch.randperm(len(dataset), generator=generator, device=pipeline.device)[:n].cpu()
    batch = dataset.get(pick)
    return Reference(pipeline.units.to_data(batch.x.to(dtype)), batch.cond, "training data")
