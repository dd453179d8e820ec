"""The path ``gaussian``: a Gaussian path on any registered schedule."""

from __future__ import annotations

import attrs
from torch import Tensor

from fmcore import BuildContext, Coefficients, GaussianPath, Schedule, choice, spec_type

ScheduleChoice = spec_type("schedule")


@attrs.frozen
class GaussianSettings:
    """Gaussian: x_t = α_t z + σ_t ε with α_t, σ_t from a schedule ({name = "vp"}, {name = "knots", ...}).

    The schedule also gives t_min, t_max and the prior's std (defaults 0, 1, 1).
    """

    schedule: ScheduleChoice = choice("schedule", "condot",
                                      "the schedule α_t, σ_t: a name or a table {name = ..., ...}")


@attrs.frozen
class ScheduledPath(GaussianPath):
    """``x_t = α_t z + σ_t ε`` with ``α_t, σ_t``, ``t_min``, ``t_max`` and ``prior_std`` from ``source``."""

    source: Schedule

    def schedule(self, t: Tensor) -> Coefficients:
        return self.source.schedule(t)

    @property
    def t_min(self) -> float:  # type: ignore[override]
        return getattr(self.source, "t_min", 0.0)

    @property
    def t_max(self) -> float:  # type: ignore[override]
        return getattr(self.source, "t_max", 1.0)

    @property
    def prior_std(self) -> float:  # type: ignore[override]
        return getattr(self.source, "prior_std", 1.0)


def build_gaussian(settings: GaussianSettings, context: BuildContext) -> ScheduledPath:
    """The path on the chosen schedule (built once, with the settings)."""
    return ScheduledPath(settings.schedule.value)
