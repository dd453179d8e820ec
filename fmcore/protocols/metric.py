"""The metric protocol: a number that says how good a model's samples or densities are."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs
from torch import Tensor

if TYPE_CHECKING:
    from fmcore.pipeline import Pipeline


@attrs.frozen
class EvalSetup:
    """What an evaluation will have, known before anything is sampled: ``n`` samples and as many
    reference points of ``event_shape``; with ``num_classes`` the model is class-conditional and each
    sample is generated for the label of its reference point; ``levels``: the data are pixels
    quantized to that many levels (see :mod:`fmcore.pixels`)."""

    n: int
    event_shape: tuple[int, ...]
    num_classes: int | None = None
    levels: int | None = None

    @property
    def images(self) -> bool:
        """Data of shape ``[C, H, W]``."""
        return len(self.event_shape) == 3


@attrs.frozen
class EvalContext:
    """What a metric reads.

    - ``samples`` ``[n, *event_shape]``: the model's samples in the data's units (un-standardized);
    - ``data`` ``[n, *event_shape]``: reference draws from the run's data set, in the same units
      (fresh draws for a generator with a ``seed`` setting, else drawn from the data set itself);
    - ``labels`` ``[n]``: for a class-conditional model, the label of ``data[i]``, for which
      ``samples[i]`` was generated (``None`` otherwise);
    - ``pipeline``: the model, for densities (:meth:`fmcore.Pipeline.log_prob`) and its data set;
    - ``nfe``: field evaluations per sample, counted; ``seconds``: wall time to draw all ``n``;
    - ``seed``: the evaluation's seed, for any randomness a metric needs;
    - ``cache``: a directory where a metric may keep what later evaluations can reuse (``RUN/eval/``
      for a run directory; a temporary one, shared by the metrics of one evaluation, otherwise).
    """

    setup: EvalSetup
    samples: Tensor
    data: Tensor
    labels: Tensor | None
    pipeline: Pipeline
    nfe: int
    seconds: float
    seed: int
    cache: Path


@attrs.frozen
class Measurement:
    """One reported number: ``name`` (lower-case, as metric names), ``value``, its ``unit``
    (``"nats"``, ``"bits/dim"``, ``"s"``, ``""`` …) and a one-line ``summary`` that says what it
    measures and whether lower or higher is better."""

    name: str
    value: float
    unit: str
    summary: str


@runtime_checkable
class Metric(Protocol):
    """A measure of a model computed from an :class:`EvalContext`.

    ``unsupported`` says, before anything is sampled, why the metric does not apply to an
    evaluation (e.g. "needs image data with labels"), so that ``fmcore eval`` skips it with that
    reason, or refuses it when it was asked for by name. ``compute`` returns one or more
    :class:`Measurement` (the first named after the metric, by convention).
    """

    def unsupported(self, setup: EvalSetup) -> str | None:
        """Why this metric cannot be computed for ``setup``, or ``None`` when it can."""
        ...

    def compute(self, context: EvalContext) -> list[Measurement]:
        """The measurements, finite floats."""
        ...
