"""The sampling run of an evaluation, with its cost: field evaluations counted, wall time."""

from __future__ import annotations

import time
from typing import Any

import attrs
from torch import Tensor, nn

from fmcore.errors import FmcoreError
from fmcore.pipeline import Pipeline


@attrs.frozen
class Drawn:
    """``samples`` ``[n, *event_shape]`` on the CPU in the data's units; ``nfe``: network calls
    during the draw (each call evaluates the field at every sample once); ``seconds``: wall time."""

    samples: Tensor
    nfe: int
    seconds: float


@attrs.define
class _CallCounter:
    """A forward pre-hook that counts the calls of its module."""

    calls: int = 0

    def __call__(self, module: nn.Module, args: Any) -> None:
        self.calls += 1


def draw(pipeline: Pipeline, n: int, seed: int, labels: Tensor | None, guidance: float) -> Drawn:
    """``n`` samples in one batch (:meth:`Pipeline.solve`), the network's calls counted by a forward
    pre-hook (a guided field calls it once on the doubled batch), the time up to samples on the CPU."""
    counter = _CallCounter()
    handle = pipeline.sampling_network.register_forward_pre_hook(counter)
    try:
        start = time.perf_counter()
        samples = pipeline.solve(n, seed=seed, cond=labels, guidance=guidance).x.cpu()
        seconds = time.perf_counter() - start
    except ValueError as exc:  # e.g. an oracle network given labels, a sampler that needs a Gaussian path
        raise FmcoreError(f"sampling for the evaluation failed: {exc}") from None
    finally:
        handle.remove()
    return Drawn(samples, counter.calls, seconds)
