"""Interleaved wall-clock timing: ratios measured in one run on a shared, noisy machine."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(candidates: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each candidate, run interleaved so that drifting load hits all alike
    (each is run once first, untimed, to warm up)."""
    for fn in candidates.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
