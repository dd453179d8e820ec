"""The plugin's hooks: the module named by this distribution's entry point in the group ``fmcore``."""

from fmcore import Component
from fmcore_plugin_template.edm import EDMHeun


def fmcore_integrators() -> list[Component]:
    return [Component("edm-heun", EDMHeun)]
