"""The data's units and the model's: what a run keeps so that samples and densities come back in
the units of the training data, without reading that data again.

- ``standardization``: the model sees ``y = (x − μ)/s`` (:mod:`fmcore.standardization`); samples are
  mapped back by ``x = μ + s y`` and ``log p_x(x) = log p_y(y) − Σ log s``.
- ``levels``: the data were quantized to ``L`` levels and scaled to ``[−1, 1]`` (:mod:`fmcore.pixels`).
  Samples stay continuous in ``[−1, 1]``; :func:`fmcore.pixels.to_levels` maps them to pixel levels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from torch import Tensor

from fmcore.errors import RunError
from fmcore.standardization import Standardization


@attrs.frozen
class DataUnits:
    """How model values relate to data values (the identity by default)."""

    standardization: Standardization | None = None
    levels: int | None = None

    @classmethod
    def of(cls, dataset: Any) -> DataUnits:
        """What a data set declares: optional attributes ``standardization`` and ``levels``."""
        return cls(getattr(dataset, "standardization", None), getattr(dataset, "levels", None))

    def to_data(self, y: Tensor) -> Tensor:
        """Model units to data units (any leading dimensions)."""
        return y if self.standardization is None else self.standardization.inverse(y)

    def to_model(self, x: Tensor) -> Tensor:
        """Data units to model units."""
        return x if self.standardization is None else self.standardization.forward(x)

    def log_det(self) -> float:
        """``log |det ∂y/∂x|``, added to the model's ``log p_y(y)`` to give ``log p_x(x)``."""
        return 0.0 if self.standardization is None else self.standardization.log_det()

    def to_info(self) -> dict[str, Any]:
        """Entries for a run's ``run.json``."""
        table = None if self.standardization is None else self.standardization.to_json()
        return {"standardization": table, "levels": self.levels}

    @classmethod
    def from_info(cls, info: dict[str, Any], file: Path) -> DataUnits:
        """Read back :meth:`to_info` from ``run.json`` (a run written before has neither entry)."""
        table, levels = info.get("standardization"), info.get("levels")
        if levels is not None and (not isinstance(levels, int) or levels < 2):
            raise RunError(f"{file}: 'levels' must be an integer ≥ 2, got {levels!r}")
        return cls(None if table is None else Standardization.from_json(table, str(file)), levels)
