"""Hook implementations of the built-in targets."""

from fmcore import Component
from fmcore_targets.velocity import VelocityTarget


def fmcore_targets() -> list[Component]:
    return [Component("velocity", VelocityTarget)]
