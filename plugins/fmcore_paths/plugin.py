"""Hook implementations of the built-in paths."""

from fmcore import Component
from fmcore_paths.condot import CondOTPath


def fmcore_paths() -> list[Component]:
    return [Component("condot", CondOTPath, aliases=("linear", "rectified-flow"))]
