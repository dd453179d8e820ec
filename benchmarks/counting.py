"""Counting what a call does, whatever library does it: network evaluations (NFE) and tensor operations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from torch import nn
from torch.profiler import ProfilerActivity, profile

T = TypeVar("T")


def counted(net: nn.Module, fn: Callable[[], T]) -> tuple[int, T]:
    """How many times ``fn`` calls ``net`` (a forward pre-hook, removed afterwards), and its result."""
    count = [0]
    hook = net.register_forward_pre_hook(lambda *_: count.__setitem__(0, count[0] + 1))
    try:
        result = fn()
    finally:
        hook.remove()
    return count[0], result


def operations(fn: Callable[[], object]) -> int:
    """How many top-level operations one call of ``fn`` dispatches (tensor operations, autograd
    nodes, optimizer steps), as :mod:`torch.profiler` records them."""
    with profile(activities=[ProfilerActivity.CPU]) as recorded:
        fn()
    return sum(1 for event in recorded.events() if event.cpu_parent is None)
