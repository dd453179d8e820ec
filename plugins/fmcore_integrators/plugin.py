"""Hook implementations of the built-in integrators, time grids and diffusions."""

from fmcore import Component
from fmcore_integrators.adaptive import Adaptive, Dopri5
from fmcore_integrators.diffusions import ConstantDiffusion, ReverseDiffusion, SigmaDiffusion, ZeroDiffusion
from fmcore_integrators.dpm_solver import DPMSolver1, DPMSolver2S
from fmcore_integrators.dpm_solver_multistep import DPMSolver2M, DPMSolver3M
from fmcore_integrators.euler_maruyama import EulerMaruyama
from fmcore_integrators.grids import CosineGrid, ExplicitGrid, KarrasGrid, LogSNRGrid, UniformGrid
from fmcore_integrators.predictor_corrector import PredictorCorrector
from fmcore_integrators.runge_kutta import RK4, Euler, Heun, Midpoint
from fmcore_integrators.unipc import UniPC1, UniPC2, UniPC3


def fmcore_integrators() -> list[Component]:
    return [
        Component("euler", Euler),
        Component("midpoint", Midpoint),
        Component("heun", Heun, aliases=("rk2",)),
        Component("rk4", RK4),
        Component("adaptive", Adaptive),
        Component("dopri5", Dopri5),
        Component("dpm-solver-1", DPMSolver1, aliases=("ddim",)),
        Component("dpm-solver-2s", DPMSolver2S),
        Component("dpm-solver-2m", DPMSolver2M),
        Component("dpm-solver-3m", DPMSolver3M),
        Component("unipc-1", UniPC1),
        Component("unipc-2", UniPC2),
        Component("unipc-3", UniPC3),
        Component("euler-maruyama", EulerMaruyama, aliases=("em", "sde")),
        Component("predictor-corrector", PredictorCorrector, aliases=("pc",)),
    ]


def fmcore_time_grids() -> list[Component]:
    return [
        Component("uniform", UniformGrid),
        Component("logsnr", LogSNRGrid, aliases=("log-snr",)),
        Component("edm", KarrasGrid, aliases=("karras",)),
        Component("cosine", CosineGrid),
        Component("explicit", ExplicitGrid, aliases=("list",)),
    ]


def fmcore_diffusions() -> list[Component]:
    return [
        Component("reverse", ReverseDiffusion, aliases=("reverse-sde",)),
        Component("zero", ZeroDiffusion, aliases=("probability-flow", "ode")),
        Component("constant", ConstantDiffusion),
        Component("sigma", SigmaDiffusion),
    ]
