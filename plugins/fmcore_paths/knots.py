"""The schedule ``knots``: α_t and σ_t interpolated through user-given points."""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import attrs
from torch import Tensor

from fmcore import Coefficients, setting
from fmcore_paths.hermite import MonotoneCubic

KnotList = list[tuple[float, float]]


def _problem(knots: KnotList) -> str | None:
    """What is wrong with the times of ``[[t, value], ...]``, if anything."""
    if len(knots) < 2:
        return f"needs at least 2 knots [t, value], got {len(knots)}"
    for t, value in knots:
        if not (math.isfinite(t) and math.isfinite(value)):
            return f"knot [{t}, {value}] is not finite"
        if not 0 <= t <= 1:
            return f"knot times must lie in [0, 1], got {t}"
    for (before, _), (after, _) in zip(knots, knots[1:]):
        if after <= before:
            return f"knot times must increase strictly, got {after} after {before}"
    return None


def _valid_times(instance: Any, attribute: attrs.Attribute, knots: KnotList) -> None:
    problem = _problem(knots)
    if problem:
        raise ValueError(problem)


def _valid_sigma(instance: Any, attribute: attrs.Attribute, knots: KnotList) -> None:
    """σ > 0 at every knot but the last, σ ≥ 0 there; the same first and last times as α."""
    for t, sigma in knots[:-1]:
        if sigma <= 0:
            raise ValueError(f"σ must be > 0 at every knot but the last (the data end), "
                             f"got {sigma} at t = {t}")
    if knots[-1][1] < 0:
        raise ValueError(f"σ must be ≥ 0, got {knots[-1][1]} at t = {knots[-1][0]}")
    alpha = getattr(instance, "alpha", None)  # no instance when the table did not build
    if alpha is None or _problem(alpha) is not None:
        return
    if (alpha[0][0], alpha[-1][0]) != (knots[0][0], knots[-1][0]):
        raise ValueError(f"σ's knots must span the same times as α's, [{alpha[0][0]}, {alpha[-1][0]}]; "
                         f"got [{knots[0][0]}, {knots[-1][0]}]")


@attrs.frozen
class KnotsSchedule:
    """Knots: α_t, σ_t through given [t, value] points by C¹ monotone cubic Hermite splines (Fritsch–Carlson).

    The first and last knot times are t_min and t_max (both lists span the same times); the prior
    is N(0, σ(t_min)² I). Between knots each spline is monotone wherever its data are (so it never
    overshoots them), hence σ > 0 inside as σ > 0 at every knot but the last. α̇, σ̇ are the exact
    derivatives of the splines; everything is computed in float64, then cast to t's dtype.
    """

    alpha: KnotList = setting(doc="[[t, α_t], ...]: t strictly increasing in [0, 1], ≥ 2 knots",
                              validator=_valid_times)
    sigma: KnotList = setting(doc="[[t, σ_t], ...]: same first and last t as alpha, σ > 0 before the last",
                              validator=[_valid_times, _valid_sigma])

    @property
    def t_min(self) -> float:
        return self.alpha[0][0]

    @property
    def t_max(self) -> float:
        return self.alpha[-1][0]

    @property
    def prior_std(self) -> float:
        return self.sigma[0][1]

    @cached_property
    def _splines(self) -> tuple[MonotoneCubic, MonotoneCubic]:
        return MonotoneCubic.through(self.alpha), MonotoneCubic.through(self.sigma)

    def schedule(self, t: Tensor) -> Coefficients:
        (alpha, d_alpha), (sigma, d_sigma) = (spline(t) for spline in self._splines)
        return Coefficients(*(x.to(t.dtype) for x in (alpha, sigma, d_alpha, d_sigma)))
