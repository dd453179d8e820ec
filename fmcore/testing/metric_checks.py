"""Conformance of metrics: on a small 2-D evaluation, a metric either gives a one-line reason why it
does not apply, or measurements that are finite floats, well named and reproducible."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import torch

from fmcore.component import NAME_PATTERN
from fmcore.protocols import EvalContext, EvalSetup, Measurement

N = 64
#: The model of the check: the exact field of a two-component Gaussian mixture, with no training.
ORACLE = {"data": {"name": "moons", "n": N}, "network": {"name": "oracle-gmm"},
          "integrator": {"name": "euler", "steps": 4}}


def check_metric(metric: Any, label: str, device: str) -> None:
    """``unsupported`` answers ``None`` or a one-line reason for 2-D points and for labelled images;
    where it applies to ``N`` 2-D points ``compute`` returns a non-empty list of :class:`Measurement`
    named ``[a-z0-9][a-z0-9-]*``, with finite float values, string units and one-line summaries,
    the same when computed twice."""
    from fmcore.pipeline import Pipeline

    points = EvalSetup(N, (2,))
    for setup in (points, EvalSetup(N, (1, 8, 8), num_classes=10, levels=17)):
        reason = metric.unsupported(setup)
        assert reason is None or (isinstance(reason, str) and reason.strip() and "\n" not in reason), \
            f"{label}: unsupported({setup}) returned {reason!r}, not None or a one-line reason"
    if metric.unsupported(points) is not None:
        return
    gen = torch.Generator().manual_seed(0)
    samples = torch.randn(N, 2, generator=gen)
    data = torch.randn(N, 2, generator=gen) + 0.5
    pipeline = Pipeline.from_config(ORACLE, device=device)
    with tempfile.TemporaryDirectory() as cache:
        context = EvalContext(points, samples, data, None, pipeline, nfe=10, seconds=0.5, seed=0, cache=Path(cache))
        first, second = metric.compute(context), metric.compute(context)
    assert isinstance(first, list) and first, f"{label}: compute returned {first!r}, not a non-empty list"
    for m in first:
        assert isinstance(m, Measurement), f"{label}: compute returned {type(m).__name__}, not a Measurement"
        assert isinstance(m.name, str) and NAME_PATTERN.fullmatch(m.name), \
            f"{label}: measurement name {m.name!r} is not lower-case [a-z0-9][a-z0-9-]*"
        assert isinstance(m.value, float) and math.isfinite(m.value), \
            f"{label}: measurement '{m.name}' is {m.value!r}, not a finite float"
        assert isinstance(m.unit, str) and isinstance(m.summary, str) and m.summary and "\n" not in m.summary, \
            f"{label}: measurement '{m.name}' needs a string unit and a one-line summary"
    assert first == second, f"{label}: two computations on the same context differ: {first} and {second}"
