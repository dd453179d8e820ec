"""What ``fmcore plot`` draws and how finely."""

from __future__ import annotations

from typing import Any

import attrs

from fmcore.component import setting
from fmcore.errors import FmcoreError

FIGURES = ("samples", "density", "trajectories", "field", "loss")


def _positive(instance: Any, attribute: attrs.Attribute, value: int) -> None:
    if not isinstance(value, int) or value < 1:
        raise FmcoreError(f"plot setting {attribute.name} must be a positive integer, got {value!r}")


def _times(instance: Any, attribute: attrs.Attribute, value: tuple[float, ...]) -> None:
    if not value:
        raise FmcoreError("times (--times): give at least one time in [0, 1]")
    outside = [t for t in value if not 0.0 <= t <= 1.0]
    if outside:
        raise FmcoreError(f"times (--times): {outside[0]:g} is outside [0, 1] (0 is noise, 1 is data)")


def _fraction(instance: Any, attribute: attrs.Attribute, value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise FmcoreError(f"plot setting {attribute.name} must lie in [0, 1), got {value!r}")


def _figures(instance: Any, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
    unknown = [name for name in value if name not in FIGURES]
    if unknown:
        raise FmcoreError(f"only (--only): no figure '{unknown[0]}'; the figures are {', '.join(FIGURES)}")


@attrs.frozen
class PlotSettings:
    """Sizes, seed and times of the figures; every random draw comes from ``seed``."""

    n: int = setting(1000, "samples drawn for the samples figure", validator=_positive)
    seed: int = setting(0, "seed of the prior draws, the data subset and the SDE noise")
    times: tuple[float, ...] = setting((0.0, 0.25, 0.5, 0.75, 1.0), "times of the field panels, in [0, 1]",
                                       converter=tuple, validator=_times)
    only: tuple[str, ...] = setting((), "figures to draw (empty: all)", converter=tuple, validator=_figures)
    paths: int = setting(64, "trajectories drawn", validator=_positive)
    resolution: int = setting(64, "density grid points per side", validator=_positive)
    density_integrator: str = setting("heun", "ODE integrator of the likelihood grid")
    density_steps: int = setting(20, "its steps", validator=_positive)
    arrows: int = setting(21, "field arrows per side", validator=_positive)
    smoothing: float = setting(0.05, "span of the loss curve's EMA, as a fraction of the logged records: "
                               "β = 1 − 1/max(1, smoothing · N)", validator=_fraction)

    @property
    def figures(self) -> tuple[str, ...]:
        """The figures to draw, in report order."""
        return tuple(name for name in FIGURES if not self.only or name in self.only)
