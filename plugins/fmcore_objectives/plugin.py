"""Hook implementations of the built-in objectives and time samplers."""

from fmcore import Component
from fmcore_objectives.cfm import ConditionalFlowMatching
from fmcore_objectives.dsm import DenoisingScoreMatching
from fmcore_objectives.time_samplers import Beta, LogitNormal, Uniform


def fmcore_objectives() -> list[Component]:
    return [
        Component("cfm", ConditionalFlowMatching, aliases=("flow-matching",)),
        Component("dsm", DenoisingScoreMatching, aliases=("score-matching",)),
    ]


def fmcore_time_samplers() -> list[Component]:
    return [
        Component("uniform", Uniform),
        Component("logit-normal", LogitNormal),
        Component("beta", Beta),
    ]
