"""The exact marginal field of a distribution on a Gaussian path, as a :class:`fmcore.VectorField`."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import GaussianPath
from fmcore_oracles.posterior import Denoiser, Posterior


@attrs.define(eq=False)
class OracleField:
    """``u_t(x) = α̇ x̂₁ + σ̇ ε̂``, ``∇ log p_t(x)``, ``x̂₁`` and ``ε̂`` of ``distribution`` on ``path``,
    exact, for any integrator (no network, no training). ``cond`` is not supported (``None`` only)."""

    distribution: Denoiser
    path: GaussianPath = attrs.field()

    @path.validator
    def _gaussian(self, attribute: attrs.Attribute, value: object) -> None:
        if not isinstance(value, GaussianPath):
            raise TypeError(f"an oracle field needs a Gaussian path x_t = α_t z + σ_t ε, "
                            f"not {type(value).__name__}")

    @property
    def time_range(self) -> tuple[float, float]:
        """The path's whole ``[t_min, t_max]``: the exact field is finite at both ends."""
        return self.path.t_min, self.path.t_max

    def posterior(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Posterior:
        if cond is not None:
            raise ValueError("an oracle field is unconditional; it takes no labels")
        return self.distribution.posterior(self.path, x, t)

    def velocity(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        post = self.posterior(x, t, cond)
        c = self.path.coefficients(t, x)
        return c.d_alpha * post.data + c.d_sigma * post.noise

    def score(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        return self.posterior(x, t, cond).score

    def data(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        return self.posterior(x, t, cond).data

    def noise(self, x: Tensor, t: Tensor | float, cond: Tensor | None = None) -> Tensor:
        return self.posterior(x, t, cond).noise
