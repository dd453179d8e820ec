"""Interleaved wall-clock timing: ratios measured in one run on a shared, noisy machine."""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator

import torch


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the body on one torch thread, restoring the thread count after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def timed(candidates: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each candidate over ``repeats`` interleaved rounds (:func:`rounds`)."""
    return {name: statistics.median(values) for name, values in rounds(candidates, repeats).items()}


def rounds(candidates: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Times (:func:`clock`) of each candidate in each of ``repeats`` rounds, the candidates run in
    turn within a round so that drifting load hits all alike (each is run once first, untimed, to
    warm up)."""
    for fn in candidates.values():
        fn()
    read = clock()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            start = read()
            fn()
            times[name].append(read() - start)
    return times


def clock() -> Callable[[], float]:
    """What a benchmark reads: the process's CPU time while torch computes on one thread (the time
    other processes of a shared machine take from it then does not count), else the wall time (the
    CPU times of several threads would add up)."""
    return time.process_time if torch.get_num_threads() == 1 else time.perf_counter


def fastest_ratios(times: dict[str, list[float]], baseline: str) -> dict[str, float]:
    """Each candidate's fastest round over ``baseline``'s fastest: other processes on a shared
    machine only ever add time, so the minimum is the least disturbed estimate of each cost (the
    advice of Python's ``timeit``)."""
    return {name: min(values) / min(times[baseline]) for name, values in times.items()}
