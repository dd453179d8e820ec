"""Per-feature standardization: the invertible map between a data set's units and the model's.

``y = (x − μ)/s`` feature by feature, with ``μ`` and ``s`` the data's mean and standard deviation
(``s = 1`` for a constant feature). The model learns ``p_y``; samples are mapped back by
``x = μ + s y`` and densities by the change of variables ``log p_x(x) = log p_y(y) − Σ_i log s_i``.
"""

from __future__ import annotations

from typing import Any

import attrs
import torch
from torch import Tensor

from fmcore.errors import RunError


@attrs.frozen(eq=False)
class Standardization:
    """``y = (x − mean)/std`` with ``mean`` and ``std`` shaped like one sample (float64)."""

    mean: Tensor
    std: Tensor

    @classmethod
    def fit(cls, x: Tensor) -> Standardization:
        """Mean and (population) standard deviation of ``x`` ``[N, *event_shape]`` over its rows;
        a feature with zero spread keeps scale 1, so it is only shifted."""
        x = x.to(torch.float64)
        mean = x.mean(0)
        std = x.std(0, correction=0)
        return cls(mean, torch.where(std > 0, std, torch.ones_like(std)))

    def forward(self, x: Tensor) -> Tensor:
        """Data units to model units, ``(x − μ)/s`` (any leading batch dimensions)."""
        return ((x - self.mean.to(x)) / self.std.to(x)).to(x.dtype)

    def inverse(self, y: Tensor) -> Tensor:
        """Model units to data units, ``μ + s y``."""
        return (self.mean.to(y) + self.std.to(y) * y).to(y.dtype)

    def log_det(self) -> float:
        """``log |det ∂y/∂x| = −Σ_i log s_i``, added to ``log p_y(y)`` to give ``log p_x(x)``."""
        return -float(self.std.log().sum())

    def to_json(self) -> dict[str, Any]:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_json(cls, table: Any, where: str) -> Standardization:
        """Read back :meth:`to_json`'s table; ``where`` names its file in errors."""
        try:
            mean = torch.tensor(table["mean"], dtype=torch.float64)
            std = torch.tensor(table["std"], dtype=torch.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise RunError(f"{where}: 'standardization' is not a table of mean and std arrays ({exc})") from None
        if mean.shape != std.shape or not torch.isfinite(mean).all() or not (std > 0).all():
            raise RunError(f"{where}: 'standardization' needs finite means and positive stds of one shape")
        return cls(mean, std)
