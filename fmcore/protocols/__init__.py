"""The protocols every component implements; see each class's docstring for its math."""

from fmcore.protocols.coupling import Coupling
from fmcore.protocols.dataset import Dataset
from fmcore.protocols.field import VectorField
from fmcore.protocols.integrator import Integrator, Solution
from fmcore.protocols.metric import EvalContext, EvalSetup, Measurement, Metric
from fmcore.protocols.network import Network
from fmcore.protocols.objective import Objective
from fmcore.protocols.path import ProbabilityPath
from fmcore.protocols.schedule import Diffusion, Schedule, TimeGrid, TimeSampler
from fmcore.protocols.target import Target

PROTOCOLS = {
    "dataset": Dataset,
    "path": ProbabilityPath,
    "target": Target,
    "objective": Objective,
    "network": Network,
    "integrator": Integrator,
    "schedule": Schedule,
    "time-sampler": TimeSampler,
    "time-grid": TimeGrid,
    "diffusion": Diffusion,
    "coupling": Coupling,
    "metric": Metric,
}

__all__ = [
    "PROTOCOLS",
    "Coupling",
    "Dataset",
    "Diffusion",
    "EvalContext",
    "EvalSetup",
    "Integrator",
    "Measurement",
    "Metric",
    "Network",
    "Objective",
    "ProbabilityPath",
    "Schedule",
    "Solution",
    "Target",
    "TimeGrid",
    "TimeSampler",
    "VectorField",
]
