"""The exact data distribution behind an oracle network, when a pipeline has one."""

from __future__ import annotations

from typing import Any

from fmcore.pipeline import Pipeline


def exact_distribution(pipeline: Pipeline) -> Any | None:
    """The ``distribution`` that a parameter-free oracle network holds, or ``None`` for a learned one.

    The built-in oracles (``fmcore_oracles``) hold a Gaussian mixture, with ``sample(n, generator=)``
    and ``log_prob(path, x, t)`` (the exact marginal ``log p_t``), or a finite data set's ``points``;
    the figures use whichever of these a distribution offers, so a third-party oracle that offers
    them is drawn the same way.
    """
    if any(True for _ in pipeline.network.parameters()):
        return None
    return getattr(pipeline.network, "distribution", None)
