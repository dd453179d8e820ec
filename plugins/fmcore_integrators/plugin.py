"""Hook implementations of the built-in integrators and time grids."""

from fmcore import Component
from fmcore_integrators.grids import CosineGrid, ExplicitGrid, KarrasGrid, LogSNRGrid, UniformGrid
from fmcore_integrators.runge_kutta import RK4, Euler, Heun, Midpoint


def fmcore_integrators() -> list[Component]:
    return [
        Component("euler", Euler),
        Component("midpoint", Midpoint),
        Component("heun", Heun, aliases=("rk2",)),
        Component("rk4", RK4),
    ]


def fmcore_time_grids() -> list[Component]:
    return [
        Component("uniform", UniformGrid),
        Component("logsnr", LogSNRGrid, aliases=("log-snr",)),
        Component("edm", KarrasGrid, aliases=("karras",)),
        Component("cosine", CosineGrid),
        Component("explicit", ExplicitGrid, aliases=("list",)),
    ]
