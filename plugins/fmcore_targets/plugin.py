"""Hook implementations of the built-in targets."""

from fmcore import Component
from fmcore_targets.data import DataTarget
from fmcore_targets.noise import NoiseTarget
from fmcore_targets.score import ScoreTarget
from fmcore_targets.v_prediction import VPredictionTarget
from fmcore_targets.velocity import VelocityTarget


def fmcore_targets() -> list[Component]:
    return [
        Component("velocity", VelocityTarget),
        Component("score", ScoreTarget),
        Component("noise", NoiseTarget, aliases=("eps", "epsilon")),
        Component("data", DataTarget, aliases=("x1", "denoiser")),
        Component("v", VPredictionTarget, aliases=("v-prediction",)),
    ]
