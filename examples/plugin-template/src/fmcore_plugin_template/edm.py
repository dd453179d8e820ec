"""Karras et al.'s EDM sampler (2022, Algorithms 1–2): Heun's method in the noise level, with
optional stochastic churn, on any Gaussian path ``x_t = α_t z + σ_t ε``.

In the scaled state ``x̃ = x/α`` and the noise level ``s = σ/α`` (EDM's ``σ``; it falls from the noise
end to ``0`` at the data end), the ODE ``dX = u_t(X) dt`` of any field becomes

    dx̃/ds = ε̂(x, t) = (α u − α̇ x)/D,      D = α σ̇ − σ α̇

(``dx̃/dt = (u − (α̇/α) x)/α`` and ``ds/dt = D/α²``), and with ``x̂₁ = (σ̇ x − σ u)/D`` one has
``x = α x̂₁ + σ ε̂``. For a marginal field this ODE, ``dx̃/ds = (x̃ − x̂₁)/s``, is the same on every
Gaussian path: the sampler's result depends on the path only through ``α`` at the ends. A step from
``t_i`` to ``t_{i+1}`` (noise levels ``s_i > s_{i+1}``):

1. Churn: ``γ = min(s_churn/K, √2 − 1)`` where ``s_tmin ≤ s_i ≤ s_tmax`` (else ``0``) raises the
   noise level to ``ŝ = s_i (1 + γ)``, at the time ``t̂ ≤ t_i`` where ``σ/α = ŝ``, by
   ``x̃ ← x̃ + s_noise √(ŝ² − s_i²) ξ``, ``ξ ~ N(0, I)``. In ``x``:
   ``x̂ = (α̂/α_i) x + s_noise √(σ̂² − (α̂ s_i)²) ξ``, the path's own noising kernel from ``t_i`` to
   ``t̂``, so with ``s_noise = 1`` it keeps the marginals exactly.
2. Euler in ``s``: ``x̃' = x̃ + (s_{i+1} − ŝ) ε̂(x̂, t̂)``, i.e. ``x' = α_{i+1} x̂₁ + σ_{i+1} ε̂`` (DDIM),
   finite even where ``α̂ = 0`` (``ŝ = ∞``).
3. Heun's correction where ``ŝ < ∞`` and ``s_{i+1} > 0``:
   ``x'' = x' + ½ α_{i+1} (s_{i+1} − ŝ) (ε̂(x', t_{i+1}) − ε̂(x̂, t̂))``.

``s_churn = 0`` is the deterministic sampler (Algorithm 1), second order on grids spaced in the noise
level (``edm``, ``logsnr``); on a grid uniform in ``t`` the first steps stay large relative to ``s``
(``s_1/s_2 ≈ 2`` on CondOT whatever ``K``) and the error falls only like ``h² log(1/h)``. Field
evaluations: one per step plus one per corrected step (``2K − 1`` when only the last step reaches
``s = 0``).
Every coefficient is a Python float computed once on the grid: the loop never syncs with the device.
"""

from __future__ import annotations

import math

import attrs
import torch
from attrs.validators import ge, gt
from torch import Tensor

from fmcore import GaussianPath, Solution, VectorField, choice, setting, spec_type

TimeGridChoice = spec_type("time-grid")


@attrs.frozen
class EDMHeun:
    """Karras et al.'s (EDM) Heun sampler in the noise level σ/α, with optional stochastic churn."""

    steps: int = setting(18, "number of steps over the field's time range", validator=gt(0))
    grid: TimeGridChoice = choice("time-grid", "edm", "where the steps go: edm (Karras ρ = 7), uniform, …")
    s_churn: float = setting(0.0, "total churn: γ = min(s_churn/steps, √2 − 1) per step; 0: deterministic",
                             validator=ge(0.0))
    s_tmin: float = setting(0.0, "churn only where the noise level σ/α is at least this", validator=ge(0.0))
    s_tmax: float = setting(math.inf, "churn only where the noise level σ/α is at most this", validator=ge(0.0))
    s_noise: float = setting(1.0, "scale of the churn noise (EDM: 1.003–1.007 for images)", validator=ge(0.0))

    def sample(
        self,
        field: VectorField,
        x0: Tensor,
        *,
        cond: Tensor | None = None,
        generator: torch.Generator | None = None,
        trajectory: bool = False,
    ) -> Solution:
        plan = StepPlan.on(self, field)
        hat_times = plan.time_views(plan.hat_times, x0)
        next_times = plan.time_views(plan.times[1:], x0)
        x = x0
        states = [x0] if trajectory else None
        for i in range(plan.steps):
            if plan.keep[i] != 1.0 or plan.noise[i] > 0.0:  # churn: back from t_i to t̂_i
                x = x.mul(plan.keep[i]).add_(_standard_normal(x, generator), alpha=plan.noise[i])
            v = field.velocity(x, hat_times[i], cond)
            x_next = x.mul(plan.euler_x[i]).add_(v, alpha=plan.euler_v[i])
            if plan.correct[i] != 0.0:
                eps = x.mul(plan.eps_x[i]).add_(v, alpha=plan.eps_v[i])
                v_next = field.velocity(x_next, next_times[i], cond)
                eps_next = x_next.mul(plan.next_eps_x[i]).add_(v_next, alpha=plan.next_eps_v[i])
                x_next = x_next.add(eps_next.sub_(eps), alpha=plan.correct[i])
            x = x_next
            if states is not None:
                states.append(x)
        nfe = plan.steps + sum(c != 0.0 for c in plan.correct)
        if states is None:
            return Solution(x, nfe)
        return Solution(x, nfe, torch.stack(states), plan.times.to(device=x0.device, dtype=x0.dtype))


def _standard_normal(x: Tensor, generator: torch.Generator | None) -> Tensor:
    """``ξ ~ N(0, I)`` shaped like ``x``, from ``generator`` (torch's global one when ``None``)."""
    return torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)


@attrs.frozen
class StepPlan:
    """Floats for each step ``i``: churn ``x̂ = keep x + noise ξ`` at ``t̂_i``; the Euler (DDIM) step
    ``x' = euler_x x̂ + euler_v u(x̂, t̂_i)``; ``ε̂ = eps_x x + eps_v u`` at ``t̂_i`` and (``next_*``)
    at ``t_{i+1}``; the Heun weight ``correct = ½ α_{i+1}(s_{i+1} − ŝ_i)`` (``0``: no correction)."""

    times: Tensor
    hat_times: Tensor
    keep: list[float]
    noise: list[float]
    euler_x: list[float]
    euler_v: list[float]
    eps_x: list[float]
    eps_v: list[float]
    next_eps_x: list[float]
    next_eps_v: list[float]
    correct: list[float]

    @classmethod
    def on(cls, sampler: EDMHeun, field: VectorField) -> StepPlan:
        path = field.path
        if not isinstance(path, GaussianPath):
            raise ValueError(f"integrator 'edm-heun' steps in the noise level σ/α and needs a Gaussian "
                             f"path x_t = α_t z + σ_t ε, not {type(path).__name__}")
        times = sampler.grid.value.times(sampler.steps, path, *field.time_range)
        left = path.schedule(times[:-1])
        level = left.sigma / left.alpha  # s_i, +inf where α = 0; level[0] is the largest
        gamma = min(sampler.s_churn / sampler.steps, math.sqrt(2) - 1)
        churned = torch.isfinite(level) & (level >= sampler.s_tmin) & (level <= sampler.s_tmax)
        raised = torch.where(churned, (level * (1 + gamma)).clamp(max=float(level[0])), level)
        hat_times = torch.where(raised > level, _time_of_level(path, raised, times[0], times[:-1]), times[:-1])
        hat, right = path.schedule(hat_times), path.schedule(times[1:])
        scale = torch.where(raised > level, hat.alpha / left.alpha, 1.0)
        noise = (hat.sigma**2 - (hat.alpha * level) ** 2).clamp(min=0).sqrt()
        noise = torch.where(raised > level, sampler.s_noise * noise, 0.0)
        d_hat = hat.alpha * hat.d_sigma - hat.sigma * hat.d_alpha
        d_right = right.alpha * right.d_sigma - right.sigma * right.d_alpha
        euler_x = (right.alpha * hat.d_sigma - right.sigma * hat.d_alpha) / d_hat
        euler_v = (right.sigma * hat.alpha - right.alpha * hat.sigma) / d_hat
        correct = 0.5 * (right.sigma - right.alpha * hat.sigma / hat.alpha)
        correct = torch.where((hat.alpha > 0) & (right.sigma > 0), correct, 0.0)
        return cls(times, hat_times, scale.tolist(), noise.tolist(), euler_x.tolist(), euler_v.tolist(),
                   (-hat.d_alpha / d_hat).tolist(), (hat.alpha / d_hat).tolist(),
                   (-right.d_alpha / d_right).tolist(), (right.alpha / d_right).tolist(), correct.tolist())

    @property
    def steps(self) -> int:
        return len(self.keep)

    @staticmethod
    def time_views(times: Tensor, x: Tensor) -> list[Tensor]:
        """Each time as a ``[B]`` tensor on ``x``'s device and dtype, made once before the loop."""
        on_device = times.to(device=x.device, dtype=x.dtype)
        return [on_device[i].expand(x.shape[0]) for i in range(len(times))]


def _time_of_level(path: GaussianPath, level: Tensor, t_start: Tensor, t_end: Tensor) -> Tensor:
    """The times in ``[t_start, t_end]`` where ``σ/α`` equals ``level`` (it falls as ``t`` grows), by
    bisection; the result is then used consistently, so its last bits do not matter."""
    lo, hi = t_start.expand_as(level).clone(), t_end.clone()
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        c = path.schedule(mid)
        noisier = c.sigma > level * c.alpha  # σ/α > level without dividing by α = 0
        lo, hi = torch.where(noisier, mid, lo), torch.where(noisier, hi, mid)
    return hi
