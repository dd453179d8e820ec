"""Diffusion schedules ``g_t`` for the sampling SDE (DESIGN.md §1)

    dX = [u_t(X) + ½ g_t² ∇log p_t(X)] dt + g_t dW.

Its Fokker–Planck equation adds ``½ g² Δp`` from the noise and ``−∇·(p ½ g² ∇log p) = −½ g² Δp``
from the extra drift, which cancel: every ``g ≥ 0`` keeps the path's marginals ``p_t``. ``g`` only
changes how a discretised sampler gets there: more noise forgets the errors of earlier steps faster,
but makes the drift ``½ g² s`` stiffer (an Euler–Maruyama step is stable while ``g² h`` stays below
about twice the variance of ``p_t`` along the score's direction).

Each schedule returns ``g_t²`` elementwise for float64 times.
"""

from __future__ import annotations

import attrs
import torch
from attrs.validators import ge
from torch import Tensor

from fmcore import GaussianPath, setting


@attrs.frozen
class ZeroDiffusion:
    """g = 0: the SDE is the probability-flow ODE dX = u_t(X) dt, and the sampler is deterministic."""

    def g_squared(self, path: object, t: Tensor) -> Tensor:
        return torch.zeros_like(t)


@attrs.frozen
class ConstantDiffusion:
    """g = c. Stiff near the data end when the data are concentrated (the score grows like 1/σ²)."""

    scale: float = setting(1.0, "the constant c ≥ 0", validator=ge(0.0))

    def g_squared(self, path: object, t: Tensor) -> Tensor:
        return torch.full_like(t, self.scale**2)


@attrs.frozen
class SigmaDiffusion:
    """g = c σ_t: noise in proportion to the path's noise level, so g² h/σ² = c² h never grows stiff."""

    scale: float = setting(1.0, "the factor c ≥ 0", validator=ge(0.0))

    def g_squared(self, path: object, t: Tensor) -> Tensor:
        return self.scale**2 * _gaussian(path, "sigma").schedule(t).sigma ** 2


@attrs.frozen
class ReverseDiffusion:
    """g² = 2 σ² λ̇ = 2 σ (σ α̇/α − σ̇), λ = log(α/σ): Song et al.'s reverse-time SDE.

    On VP it is β(1 − t) (the drift is then ``2u − (α̇/α) x``), on VE ``d σ²/dτ = 2 σ² log(σ_max/σ_min)``.
    Written as ``2σ(σ α̇/α − σ̇)`` it is 0, not ``0 · ∞``, where ``σ = 0``. Where ``α = 0`` (pure
    noise: ``t = 0`` on condot, trig, cosine, polynomial) it is infinite, since ``λ = −∞``; there this
    schedule returns 0, so a step that starts at pure noise is a probability-flow step and the
    reverse SDE takes over at the next time. Near such an end ``g² h/σ² ≈ 2h/t``: the first steps of a
    uniform grid inject noise of the order of the state's own, which the SDE's contraction forgets.
    """

    def g_squared(self, path: object, t: Tensor) -> Tensor:
        c = _gaussian(path, "reverse").schedule(t)
        finite = c.alpha > 0
        rate = c.sigma * c.d_alpha / torch.where(finite, c.alpha, 1.0) - c.d_sigma
        return torch.where(finite, 2 * c.sigma * rate, 0.0)


def _gaussian(path: object, name: str) -> GaussianPath:
    if not isinstance(path, GaussianPath):
        raise ValueError(f"diffusion '{name}' reads α_t, σ_t and needs a Gaussian path x_t = α_t z + σ_t ε, "
                         f"not {type(path).__name__}")
    return path
