"""Divergence estimators: ``div v(x) = tr ∂v/∂x`` at a batch of points, by autograd.

- :class:`ExactDivergence`: ``div v = Σ_i ∂v_i/∂x_i``, one backward pass per dimension ``D``
  (exact; for small ``D``).
- :class:`HutchinsonDivergence`: ``div v = E_ε[εᵀ (∂v/∂x) ε]`` for any probe with ``E[εεᵀ] = I``,
  estimated by ``(1/P) Σ_p ε_pᵀ (∂v/∂x) ε_p`` with one vector–Jacobian product (backward pass) per
  probe. Rademacher probes (``±1``) have the lowest variance of the two offered; Gaussian probes
  ``N(0, I)`` are the other choice. The probes are drawn once per solve and held fixed along the
  trajectory, so the augmented ODE is a smooth, deterministic ODE (as adaptive solvers require) and
  the estimate of ``∫ div v dt`` is unbiased.

Both run ``v`` under :func:`torch.enable_grad` on a detached copy of ``x``, so they work inside
``torch.no_grad()`` (but not ``torch.inference_mode()``, whose tensors cannot enter autograd); the
returned velocity is detached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

import attrs
import torch
from torch import Tensor

from fmcore.errors import FmcoreError

Probe = Literal["rademacher", "gaussian"]


class DivergenceEstimator(Protocol):
    """``(v, div)`` of ``velocity`` at ``x``: ``v`` shaped like ``x`` (detached), ``div`` ``[B]``."""

    def __call__(self, velocity: Callable[[Tensor], Tensor], x: Tensor) -> tuple[Tensor, Tensor]: ...


def _track(velocity: Callable[[Tensor], Tensor], x: Tensor) -> tuple[Tensor, Tensor]:
    """``x`` detached and requiring grad, and ``v(x)`` recorded by autograd."""
    x = x.detach().requires_grad_(True)
    return x, velocity(x)


@attrs.frozen
class ExactDivergence:
    """``div v(x) = Σ_{i=1}^{D} ∂v_i/∂x_i``: ``D`` backward passes."""

    def __call__(self, velocity: Callable[[Tensor], Tensor], x: Tensor) -> tuple[Tensor, Tensor]:
        with torch.enable_grad():
            x, v = _track(velocity, x)
            flat = v.flatten(1)
            div = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
            if v.requires_grad:
                for i in range(flat.shape[1]):
                    (row,) = torch.autograd.grad(flat[:, i].sum(), x, retain_graph=True,
                                                 materialize_grads=True)
                    div = div + row.flatten(1)[:, i]
        return v.detach(), div


@attrs.frozen
class HutchinsonDivergence:
    """``div v(x) ≈ (1/P) Σ_p ε_pᵀ (∂v/∂x) ε_p`` with fixed probes ``[P, B, *event_shape]``."""

    probes: Tensor

    def __call__(self, velocity: Callable[[Tensor], Tensor], x: Tensor) -> tuple[Tensor, Tensor]:
        with torch.enable_grad():
            x, v = _track(velocity, x)
            div = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
            if v.requires_grad:
                for probe in self.probes:
                    (vjp,) = torch.autograd.grad(v, x, probe, retain_graph=True, materialize_grads=True)
                    div = div + (vjp * probe).flatten(1).sum(1)
        return v.detach(), div / self.probes.shape[0]


def draw_probes(count: int, like: Tensor, kind: Probe, generator: torch.Generator | None) -> Tensor:
    """``count`` probes shaped like ``like``: Rademacher ``±1`` or standard Gaussian, ``[P, *like.shape]``."""
    shape = (count, *like.shape)
    if kind == "gaussian":
        return torch.randn(shape, generator=generator, device=like.device, dtype=like.dtype)
    if kind == "rademacher":
        bits = torch.randint(0, 2, shape, generator=generator, device=like.device)
        return (2 * bits - 1).to(like.dtype)
    raise FmcoreError(f"probe must be 'rademacher' or 'gaussian', got {kind!r}")
