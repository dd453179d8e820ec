"""fmcore: flow-matching and diffusion generative models in which every part is a plugin.

The public names a user or plugin author needs are importable from here::

    import fmcore
    cfg = fmcore.load_config("examples/moons.toml")
    pipe = fmcore.Pipeline.from_config(cfg)
    pipe.train()
    x = pipe.sample(1000, integrator="heun", steps=50)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fmcore")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from fmcore.component import BuildContext, Component, setting
from fmcore.data import Batch, EpochOrder, TensorDataset
from fmcore.errors import (
    ConfigError,
    ConfigIssue,
    DataError,
    FmcoreError,
    PluginError,
    RunError,
    TrainingError,
)
from fmcore.field import Field
from fmcore.gaussian import Coefficients, GaussianPath
from fmcore.hookspecs import hookimpl
from fmcore.kinds import KINDS
from fmcore.plugin_manager import PluginWarning, get_registry, register_plugin, reset_registry
from fmcore.protocols import (
    Coupling,
    Dataset,
    Diffusion,
    EvalContext,
    EvalSetup,
    Integrator,
    Measurement,
    Metric,
    Network,
    Objective,
    ProbabilityPath,
    Schedule,
    Solution,
    Target,
    TimeGrid,
    TimeSampler,
    VectorField,
)
from fmcore.config import ComponentSpec, Config, TrainSettings, choice, load_config, spec_type
from fmcore.create import create
from fmcore.pipeline import Pipeline
from fmcore.evaluation import Evaluation, evaluate

__all__ = [
    "KINDS",
    "Batch",
    "BuildContext",
    "Coefficients",
    "Component",
    "ComponentSpec",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "Coupling",
    "DataError",
    "Dataset",
    "Diffusion",
    "EpochOrder",
    "EvalContext",
    "Evaluation",
    "EvalSetup",
    "Field",
    "FmcoreError",
    "GaussianPath",
    "Integrator",
    "Measurement",
    "Metric",
    "Network",
    "Objective",
    "Pipeline",
    "PluginError",
    "PluginWarning",
    "ProbabilityPath",
    "Schedule",
    "RunError",
    "Solution",
    "Target",
    "TimeGrid",
    "TimeSampler",
    "TensorDataset",
    "TrainSettings",
    "TrainingError",
    "VectorField",
    "__version__",
    "choice",
    "create",
    "evaluate",
    "get_registry",
    "hookimpl",
    "load_config",
    "register_plugin",
    "reset_registry",
    "setting",
    "spec_type",
]
