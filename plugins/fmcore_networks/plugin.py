"""Hook implementations of the built-in networks."""

from fmcore import Component
from fmcore_networks.mlp import MLPSettings, build_mlp
from fmcore_networks.unet import UNetSettings, build_unet


def fmcore_networks() -> list[Component]:
    return [Component("mlp", MLPSettings, build=build_mlp), Component("unet", UNetSettings, build=build_unet)]
