"""Hook implementations of the built-in objectives."""

from fmcore import Component
from fmcore_objectives.cfm import ConditionalFlowMatching


def fmcore_objectives() -> list[Component]:
    return [Component("cfm", ConditionalFlowMatching, aliases=("flow-matching",))]
