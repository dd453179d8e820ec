"""The polynomial path α_t = tⁿ."""

from __future__ import annotations

import attrs
from attrs.validators import gt
from torch import Tensor

from fmcore import Coefficients, GaussianPath, setting


@attrs.frozen
class PolynomialPath(GaussianPath):
    """Polynomial: α_t = tⁿ, σ_t = 1 − tⁿ (n = 1 is condot).

    α̇ = n tⁿ⁻¹, σ̇ = −n tⁿ⁻¹; the ends are exact. For n < 1, α̇ is unbounded as t → 0.
    """

    n: float = setting(2.0, "exponent n > 0", validator=gt(0))

    def schedule(self, t: Tensor) -> Coefficients:
        alpha = t.pow(self.n)
        d_alpha = self.n * t.pow(self.n - 1)
        return Coefficients(alpha=alpha, sigma=1 - alpha, d_alpha=d_alpha, d_sigma=-d_alpha)
