"""A rectangle of the plane around some points, and the centres of a grid of cells on it."""

from __future__ import annotations

import attrs
import numpy as np


@attrs.frozen
class Box:
    """``[low_0, high_0] × [low_1, high_1]``."""

    low: tuple[float, float]
    high: tuple[float, float]

    @classmethod
    def around(cls, points: np.ndarray, *, pad: float = 0.15, tail: float = 0.0) -> Box:
        """The box of the ``tail``–``(100 − tail)`` percentiles of ``points`` ``[N, 2]`` in each
        coordinate, widened on every side by ``pad`` times its size (at least ``pad``)."""
        low, high = np.percentile(points, [tail, 100.0 - tail], axis=0)
        margin = pad * np.maximum(high - low, 1.0)
        return cls(tuple(map(float, low - margin)), tuple(map(float, high + margin)))  # type: ignore[arg-type]

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(x_low, x_high, y_low, y_high)``, as matplotlib's ``imshow`` takes it."""
        return self.low[0], self.high[0], self.low[1], self.high[1]

    def centres(self, resolution: int) -> tuple[np.ndarray, np.ndarray]:
        """Centres ``x_i = low + (i + ½) Δ``, ``Δ = (high − low)/R``, of ``R × R`` equal cells: ``[R]`` each."""
        xs, ys = ((lo + (np.arange(resolution) + 0.5) * (hi - lo) / resolution)
                  for lo, hi in zip(self.low, self.high))
        return xs, ys

    def grid(self, resolution: int) -> np.ndarray:
        """The cell centres as points ``[R·R, 2]``, row by row (``y`` outer, ``x`` inner)."""
        xs, ys = self.centres(resolution)
        return np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1).reshape(-1, 2)

    def cell_area(self, resolution: int) -> float:
        """``Δx Δy`` of one of the ``R × R`` cells."""
        return (self.high[0] - self.low[0]) * (self.high[1] - self.low[1]) / resolution**2
