"""Hook implementations of the built-in paths and schedules."""

from fmcore import Component
from fmcore_paths.condot import CondOTPath
from fmcore_paths.cosine import CosinePath
from fmcore_paths.gaussian import GaussianSettings, build_gaussian
from fmcore_paths.knots import KnotsSchedule
from fmcore_paths.polynomial import PolynomialPath
from fmcore_paths.subvp import SubVPPath
from fmcore_paths.trig import TrigPath
from fmcore_paths.ve import VEPath
from fmcore_paths.vp import VPPath

# Every Gaussian path is also a schedule (it has ``schedule(t)``): the same records serve both hooks.
_GAUSSIAN = [
    Component("condot", CondOTPath, aliases=("linear", "rectified-flow")),
    Component("polynomial", PolynomialPath),
    Component("trig", TrigPath),
    Component("cosine", CosinePath),
    Component("vp", VPPath),
    Component("subvp", SubVPPath),
    Component("ve", VEPath),
]


def fmcore_paths() -> list[Component]:
    return [*_GAUSSIAN, Component("gaussian", GaussianSettings, build=build_gaussian)]


def fmcore_schedules() -> list[Component]:
    return [*_GAUSSIAN, Component("knots", KnotsSchedule)]
