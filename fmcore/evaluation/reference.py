"""The reference points an evaluation compares samples with: draws from the run's data set.

A data set whose settings have a ``seed`` is a generator (the 2-D toys): it is built again with
another seed, so the reference points are fresh draws the model never saw (and exactly ``n`` of them
when it has an ``n`` setting). Any other data set (files, digits) is finite: the points are drawn
from it, without replacement when it holds at least ``n`` points.
"""

from __future__ import annotations

import attrs
import torch

from fmcore.config.resolve import component_spec
from fmcore.data import Batch
from fmcore.data_units import DataUnits
from fmcore.pipeline import Pipeline
from fmcore.plugin_manager import get_registry


@attrs.frozen
class Reference:
    """``batch``: ``n`` points in the data's units (with labels for labelled data); ``description``:
    where they come from, one line."""

    batch: Batch
    description: str


def reference_points(pipeline: Pipeline, n: int, seed: int) -> Reference:
    """``n`` reference points of the pipeline's data set, the same for the same ``seed``."""
    spec = pipeline.config.data
    fields = attrs.fields_dict(type(spec.settings))
    if "seed" in fields:
        table = spec.to_dict()
        table["seed"] = spec.settings.seed + 1 + seed  # never the training seed
        if "n" in fields:
            table["n"] = n
        dataset = component_spec("dataset", table, get_registry()).build()
        description = (f"fresh draws of data set '{spec.name}' (seed {table['seed']}; trained on seed "
                       f"{spec.settings.seed})")
    else:
        dataset = pipeline.dataset
        description = f"drawn from the data set '{spec.name}' the model was trained on"
    size = len(dataset)
    generator = torch.Generator().manual_seed(seed)
    if n <= size:
        indices = torch.randperm(size, generator=generator)[:n]
    else:
        indices = torch.randint(size, (n,), generator=generator)
        description += f", with replacement ({n} of its {size} points)"
    with torch.random.fork_rng(devices=[]):  # e.g. the dequantization noise of images
        torch.manual_seed(seed)
        batch = dataset.get(indices)
    return Reference(Batch(DataUnits.of(dataset).to_data(batch.x), batch.cond), description)
