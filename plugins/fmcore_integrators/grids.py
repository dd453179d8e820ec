"""Time grids: where an integrator puts its steps between ``t_start`` (noise) and ``t_end`` (data).

Each returns ``steps + 1`` increasing float64 times whose first and last are exactly ``t_start`` and
``t_end``. Grids that space points by the schedule use ``λ_t = log(α_t/σ_t)`` (log signal-to-noise
ratio), which increases with ``t`` on every Gaussian path, and invert it by bisection.
"""

from __future__ import annotations

import math

import attrs
import torch
from attrs.validators import gt
from torch import Tensor

from fmcore import GaussianPath, setting


@attrs.frozen
class UniformGrid:
    """Uniform in t: t_k = t_start + k (t_end − t_start)/K."""

    def times(self, steps: int, path: object, t_start: float, t_end: float) -> Tensor:
        return torch.linspace(t_start, t_end, steps + 1, dtype=torch.float64)


@attrs.frozen
class CosineGrid:
    """Cosine spacing, dense at both ends: t_k = t_start + (t_end − t_start) · ½(1 − cos(π k/K))."""

    def times(self, steps: int, path: object, t_start: float, t_end: float) -> Tensor:
        u = 0.5 * (1 - torch.cos(torch.pi * torch.arange(steps + 1, dtype=torch.float64) / steps))
        return _pin(t_start + (t_end - t_start) * u, t_start, t_end)


@attrs.frozen
class LogSNRGrid:
    """Uniform in log-SNR λ = log(α/σ) between max(λ(t_start), min_logsnr) and min(λ(t_end), max_logsnr).

    The clips matter where the path reaches α = 0 or σ = 0 (λ = ∓∞, CondOT's ends); the ends stay
    t_start and t_end, so the first and last steps jump over λ < min_logsnr and λ > max_logsnr. The
    default [−5.5, 5] just holds the VP path's own range (λ from −5.0 to 4.6, left as it is): every
    Gaussian path is the same flow in (λ, x/α), so DPM-Solver takes about the same steps on CondOT
    as on VP. A wider range spends steps where a flow to data of unit scale barely moves (±12 at 8
    steps: several times the endpoint error, benchmarks/quality.py); a narrower one leaves more to
    the two jumps, whose error does not shrink with more steps (a floor, about (e^{−5}/s)² relative
    for data with detail at scale s). Raise ``max_logsnr`` for fine detail or many steps.
    """

    min_logsnr: float = setting(-5.5, "lower clip of λ (where α = 0, λ(t_start) = −∞)")
    max_logsnr: float = setting(5.0, "upper clip of λ (where σ = 0, λ(t_end) = +∞)")

    def times(self, steps: int, path: object, t_start: float, t_end: float) -> Tensor:
        gaussian = _gaussian(path, "logsnr")
        low, high = _clipped_range(gaussian, t_start, t_end, self.min_logsnr, self.max_logsnr)
        targets = torch.linspace(low, high, steps + 1, dtype=torch.float64)
        return _pin(_invert_logsnr(gaussian, targets, t_start, t_end), t_start, t_end)


@attrs.frozen
class KarrasGrid:
    """Karras et al.'s (EDM) ρ-spacing of the noise level s = σ/α = e^(−λ):
    s_k = (s_max^(1/ρ) + k/K (s_min^(1/ρ) − s_max^(1/ρ)))^ρ, s clipped to [sigma_min, sigma_max]."""

    rho: float = setting(7.0, "the exponent ρ", validator=gt(0.0))
    sigma_min: float = setting(0.002, "smallest noise level σ/α", validator=gt(0.0))
    sigma_max: float = setting(80.0, "largest noise level σ/α", validator=gt(0.0))

    def times(self, steps: int, path: object, t_start: float, t_end: float) -> Tensor:
        gaussian = _gaussian(path, "edm")
        low, high = _clipped_range(gaussian, t_start, t_end, -math.log(self.sigma_max),
                                   -math.log(self.sigma_min))
        s_max, s_min = math.exp(-low), math.exp(-high)
        k = torch.arange(steps + 1, dtype=torch.float64) / steps
        s = (s_max ** (1 / self.rho) + k * (s_min ** (1 / self.rho) - s_max ** (1 / self.rho))) ** self.rho
        return _pin(_invert_logsnr(gaussian, -torch.log(s), t_start, t_end), t_start, t_end)


@attrs.frozen
class ExplicitGrid:
    """An explicit list of times (its length − 1 steps; the integrator's `steps` is ignored)."""

    points: list[float] = setting(doc="increasing times in [0, 1]; the first and last are replaced "
                                  "by the field's t_start and t_end")

    def __attrs_post_init__(self) -> None:
        values = self.points
        if len(values) < 2:
            raise ValueError(f"an explicit grid needs at least 2 times, got {len(values)}")
        if any(not 0.0 <= v <= 1.0 for v in values) or any(b <= a for a, b in zip(values, values[1:])):
            raise ValueError(f"times must increase strictly inside [0, 1], got {values}")

    def times(self, steps: int, path: object, t_start: float, t_end: float) -> Tensor:
        grid = torch.tensor(self.points, dtype=torch.float64).clamp(t_start, t_end)
        grid[0], grid[-1] = t_start, t_end
        if (grid[1:] <= grid[:-1]).any():
            raise ValueError(f"the explicit grid {self.points} collapses on [{t_start}, {t_end}]")
        return grid


def _gaussian(path: object, name: str) -> GaussianPath:
    if not isinstance(path, GaussianPath):
        raise ValueError(f"time grid '{name}' spaces steps by log-SNR and needs a Gaussian path")
    return path


def _logsnr(path: GaussianPath, t: Tensor) -> Tensor:
    c = path.schedule(t)
    return torch.log(c.alpha) - torch.log(c.sigma)


def _clipped_range(path: GaussianPath, t_start: float, t_end: float, low: float, high: float):
    ends = _logsnr(path, torch.tensor([t_start, t_end], dtype=torch.float64))
    return max(float(ends[0]), low), min(float(ends[1]), high)


def _invert_logsnr(path: GaussianPath, targets: Tensor, t_start: float, t_end: float) -> Tensor:
    """The times where λ_t equals each target (λ increases with t), by 100 bisection steps."""
    lo = torch.full_like(targets, t_start)
    hi = torch.full_like(targets, t_end)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        below = _logsnr(path, mid) < targets
        lo = torch.where(below, mid, lo)
        hi = torch.where(below, hi, mid)
    return 0.5 * (lo + hi)


def _pin(grid: Tensor, t_start: float, t_end: float) -> Tensor:
    """The grid with its ends exactly ``t_start`` and ``t_end``."""
    grid = grid.clone()
    grid[0], grid[-1] = t_start, t_end
    return grid
