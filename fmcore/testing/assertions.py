"""Assertions whose failure says what was checked, the numbers, and the tolerance."""

from __future__ import annotations

import torch
from torch import Tensor


def assert_close(got: Tensor, want: Tensor | float, what: str, *, atol: Tensor | float,
                 rtol: float = 0.0) -> None:
    """``|got − want| ≤ atol + rtol |want|`` elementwise (``atol`` may vary by element) and ``got``
    finite; otherwise an ``AssertionError`` naming ``what``, the worst element, its values and its
    tolerance."""
    want = torch.as_tensor(want, dtype=got.dtype, device=got.device).expand_as(got)
    allowed = (torch.as_tensor(atol, dtype=got.dtype, device=got.device) + rtol * want.abs()).expand_as(got)
    error = (got - want).abs()
    excess = torch.where(torch.isfinite(error), error - allowed, torch.inf)
    if (excess <= 0).all():
        return
    worst = int(excess.flatten().argmax())
    index = [int(i) for i in torch.unravel_index(torch.tensor(worst), got.shape)]
    where = f" at {index}" if index else ""
    g, w, tolerance = (v.flatten()[worst].item() for v in (got, want, allowed))
    raise AssertionError(f"{what}: |got − want| = {abs(g - w):.3g}{where} (got {g:.6g}, want {w:.6g}) "
                         f"exceeds the tolerance {tolerance:.3g}")


def assert_near(value: float, want: float, tolerance: float, what: str) -> None:
    """``|value − want| ≤ tolerance`` for one number; otherwise an ``AssertionError`` with all three."""
    if not abs(value - want) <= tolerance:
        raise AssertionError(f"{what}: {value:.4g}, expected {want:.4g} ± {tolerance:.3g}")
