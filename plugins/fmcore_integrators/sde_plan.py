"""The per-step coefficients of an SDE sampler on a grid, computed once on the host.

On a Gaussian path every quantity an SDE step needs is linear in the velocity ``v = u_t(x)`` and ``x``
(DESIGN.md §1, ``D = α σ̇ − σ α̇ ≠ 0``, finite at ``α = 0`` and at ``σ = 0``)::

    ε̂ = (α v − α̇ x)/D,   s = −ε̂/σ = p v + q x,   p = −α/(σ D),   q = α̇/(σ D)
    x̂₁ = (σ̇ x − σ v)/D
    v + ½ g² s = (1 + ½ g² p) v + ½ g² q x

So one field evaluation (``velocity``, which every :class:`fmcore.VectorField` answers) per step
gives the drift, the score and the data prediction; the coefficients are Python floats at the left
point ``t_i`` of every step (``σ_i > 0`` there), so the loop never synchronises with the device.
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore import Diffusion, GaussianPath, TimeGrid, VectorField


@attrs.frozen
class SDEPlan:
    """Floats for each step ``i`` from ``t_i`` to ``t_{i+1}``, ``h_i = t_{i+1} − t_i``:
    ``x ← keep_i x + push_i v + noise_i ξ`` (Euler–Maruyama, ``keep = 1 + ½ g² q h``,
    ``push = (1 + ½ g² p) h``, ``noise = g √h``), ``s = score_v v + score_x x`` and
    ``x̂₁ = data_v v + data_x x``, all at ``t_i``."""

    times: Tensor
    keep: list[float]
    push: list[float]
    noise: list[float]
    score_v: list[float]
    score_x: list[float]
    data_v: list[float]
    data_x: list[float]

    @classmethod
    def on(cls, integrator: str, field: VectorField, steps: int, grid: TimeGrid,
           diffusion: Diffusion) -> SDEPlan:
        """The plan on ``grid`` over ``field.time_range``; refuses a path that is not Gaussian."""
        path = field.path
        if not isinstance(path, GaussianPath):
            raise ValueError(f"integrator '{integrator}' converts the velocity to a score and needs a "
                             f"Gaussian path x_t = α_t z + σ_t ε, not {type(path).__name__}")
        times = grid.times(steps, path, *field.time_range)
        left = times[:-1]
        h = times[1:] - left
        c = path.schedule(left)
        g2 = diffusion.g_squared(path, left)
        if not (torch.isfinite(g2).all() and (g2 >= 0).all()):
            raise ValueError(f"integrator '{integrator}': the diffusion's g² is not finite and ≥ 0 on "
                             f"the grid: {g2.tolist()}")
        d = c.alpha * c.d_sigma - c.sigma * c.d_alpha
        p, q = -c.alpha / (c.sigma * d), c.d_alpha / (c.sigma * d)
        return cls(
            times=times,
            keep=(1 + 0.5 * g2 * q * h).tolist(),
            push=((1 + 0.5 * g2 * p) * h).tolist(),
            noise=(g2 * h).sqrt().tolist(),
            score_v=p.tolist(),
            score_x=q.tolist(),
            data_v=(-c.sigma / d).tolist(),
            data_x=(c.d_sigma / d).tolist(),
        )

    @property
    def steps(self) -> int:
        return len(self.keep)

    def time_views(self, x: Tensor) -> list[Tensor]:
        """``t_i`` as ``[B]`` tensors on ``x``'s device and dtype, one per step (made before the loop)."""
        grid = self.times.to(device=x.device, dtype=x.dtype)
        return [grid[i].expand(x.shape[0]) for i in range(self.steps)]

    def euler_maruyama(self, i: int, x: Tensor, v: Tensor, generator: torch.Generator | None) -> Tensor:
        """``x + [v + ½ g² s] h + g √h ξ``, ``ξ ~ N(0, I)`` from ``generator`` (none drawn where g = 0)."""
        out = x.mul(self.keep[i]).add_(v, alpha=self.push[i])
        if self.noise[i] == 0.0:
            return out
        return out.add_(standard_normal(x, generator), alpha=self.noise[i])

    def score(self, i: int, x: Tensor, v: Tensor) -> Tensor:
        """``s(x, t_i) = −ε̂/σ`` from the velocity."""
        return v.mul(self.score_v[i]).add_(x, alpha=self.score_x[i])

    def data(self, i: int, x: Tensor, v: Tensor) -> Tensor:
        """``x̂₁(x, t_i) = E[z | x_{t_i} = x]`` from the velocity."""
        return v.mul(self.data_v[i]).add_(x, alpha=self.data_x[i])


def standard_normal(x: Tensor, generator: torch.Generator | None) -> Tensor:
    """``ξ ~ N(0, I)`` shaped like ``x``, drawn from ``generator`` (torch's global one when ``None``)."""
    return torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
