"""Hook implementations of the built-in integrators."""

from fmcore import Component
from fmcore_integrators.runge_kutta import Euler, Heun


def fmcore_integrators() -> list[Component]:
    return [Component("euler", Euler), Component("heun", Heun, aliases=("rk2",))]
