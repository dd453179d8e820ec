"""Numerical precision of training: bf16 autocast around the forward pass and loss, and determinism."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import torch

from fmcore.errors import ConfigError, ConfigIssue


def resolve_precision(setting: str, device: torch.device) -> str:
    """``"fp32"`` or ``"bf16"`` for the ``[train].precision`` setting on ``device`` (``"auto"``: bf16
    on a CUDA device that supports it, fp32 otherwise)."""
    cuda = device.type == "cuda"
    if setting == "auto":
        return "bf16" if cuda and torch.cuda.is_bf16_supported() else "fp32"
    if setting == "bf16" and cuda and not torch.cuda.is_bf16_supported():
        raise ConfigError([ConfigIssue("$.train.precision", f"this GPU ({torch.cuda.get_device_name(device)}) "
                                       "does not support bf16; use 'fp32'")])
    return setting


def autocast(precision: str, device: torch.device) -> contextlib.AbstractContextManager[object]:
    """The context of the forward pass and loss: ``torch.autocast`` to bf16, or nothing for fp32.
    Parameters, gradients and optimizer state stay fp32; the trainer takes the loss as fp32."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


@contextlib.contextmanager
def deterministic(enabled: bool) -> Iterator[None]:
    """``torch.use_deterministic_algorithms(True)`` for the body (then the previous mode again).

    On CUDA this picks deterministic kernels, which can be slower (scatter/index-add style ops lose
    their atomics), makes ops without a deterministic kernel raise, and needs cuBLAS's fixed
    workspace (``CUBLAS_WORKSPACE_CONFIG=:4096:8``, set here when unset). On CPU it costs little.
    """
    if not enabled:
        yield
        return
    previous = torch.are_deterministic_algorithms_enabled()
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous)
