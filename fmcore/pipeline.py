"""The Pipeline: a config's components built and joined, with ``train``, ``sample`` and ``load``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import attrs
import torch
from torch import Tensor, nn

import fmcore
from fmcore.component import BuildContext
from fmcore.config import Config, load_config
from fmcore.config.resolve import component_spec
from fmcore.data_units import DataUnits
from fmcore.errors import FmcoreError, RunError
from fmcore.field import Field
from fmcore.plugin_manager import get_registry
from fmcore.protocols import Dataset, Integrator, Objective, ProbabilityPath, Solution, Target
from fmcore.runs import RunDirectory
from fmcore.runs import checkpoint as ckpt


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise FmcoreError("device 'cuda' was asked for ($.train.device) but CUDA is not available")
    return torch.device(name)


class Pipeline:
    """Data set, path, target, objective, network and integrator built from one :class:`Config`.

    ``train()`` fits the network; ``sample(n)`` integrates ``n`` prior draws to data with the
    config's integrator (or another by name); ``Pipeline.load(run_dir)`` restores a trained run.
    The data set is built only when training needs it, so sampling a run never reads its data.
    Samples and densities are in the data's units (``units``: e.g. a data set's standardization,
    saved with the run, is undone).
    """

    def __init__(self, config: Config, context: BuildContext | None = None, device: str | None = None,
                 units: DataUnits | None = None):
        self.config = config
        self.device = _device(device or config.train.device)
        self.path: ProbabilityPath = config.path.build()
        self.target: Target = config.target.build()
        self.objective: Objective = config.objective.build()
        self.integrator: Integrator = config.integrator.build()
        self._integrators: dict[tuple[str | None, int | None], Integrator] = {}
        if context is None:
            context = BuildContext(self.dataset.event_shape, self.dataset.num_classes)
            units = DataUnits.of(self.dataset)
        self.units = units or DataUnits()
        self.context = attrs.evolve(context, path=self.path, target=self.target)
        torch.manual_seed(config.seed)
        self.network: nn.Module = config.network.build(self.context).to(self.device)
        self.sampling_network: nn.Module = self.network

    @classmethod
    def from_config(
        cls, config: Config | Mapping[str, Any] | str | Path, *, device: str | None = None
    ) -> Pipeline:
        """Build from a :class:`Config`, a config dict or a config file."""
        return cls(load_config(config), device=device)

    @cached_property
    def dataset(self) -> Dataset:
        return self.config.data.build()

    @property
    def event_shape(self) -> tuple[int, ...]:
        assert self.context.event_shape is not None
        return self.context.event_shape

    def training_field(self) -> Field:
        """The field on the trained weights (gradients flow through it)."""
        return Field(self.network, self.target, self.path)

    @property
    def field(self) -> Field:
        """The field used for sampling: on the EMA weights after training, if EMA is on."""
        return self.guided_field(1.0)

    def guided_field(self, guidance: float) -> Field:
        """The sampling field with classifier-free guidance scale ``guidance`` (1: none); the
        network's "no label" class is index ``num_classes``."""
        return Field(self.sampling_network, self.target, self.path, guidance, self.context.num_classes)

    def train(self, out: str | Path | None = None, *, progress: bool = False,
              resume: bool = False) -> fmcore.training.TrainResult:
        """Train for ``[train].steps`` steps; with ``out``, write a run directory there. With
        ``resume``, continue the run in ``out`` exactly from its latest checkpoint: this pipeline's
        config must be the run's, but for a larger ``train.steps``. Under torchrun every process
        calls this; rank 0 writes the run (:mod:`fmcore.distributed`)."""
        from fmcore.distributed import ranks
        from fmcore.training import check_trainable, open_resumed_run, train

        check_trainable(self)
        run, checkpoint = None, None
        if resume:
            if out is None:
                raise RunError("resume=True needs the run directory to continue (out)")
            run, checkpoint = open_resumed_run(out, self.config, ranks())
        elif out is not None and not ranks().main:
            run = RunDirectory(Path(out))
        elif out is not None:
            info = {"fmcore": fmcore.__version__, "event_shape": list(self.event_shape),
                    "num_classes": self.context.num_classes, **self.units.to_info(),
                    "created": datetime.datetime.now(datetime.timezone.utc).isoformat()}
            run = RunDirectory.create(out, self.config.to_toml(), info)
        return train(self, run, progress, checkpoint)

    def sample(
        self,
        n: int,
        *,
        integrator: str | Integrator | None = None,
        steps: int | None = None,
        seed: int | None = None,
        batch_size: int = 65536,
        cond: Tensor | None = None,
        guidance: float = 1.0,
    ) -> Tensor:
        """``n`` samples ``[n, *event_shape]`` on the CPU in the data's units, drawn in chunks of
        ``batch_size``.

        ``integrator`` is a registered name or an integrator object; ``steps`` overrides its
        ``steps`` setting; ``seed`` makes the draw reproducible; labels ``cond`` ``[n]`` are followed
        with classifier-free guidance scale ``guidance`` (:meth:`guided_field`).
        """
        solver = self.integrator_for(integrator, steps)
        field = self.guided_field(guidance)
        generator = self._generator(seed)
        chunks = []
        with torch.inference_mode():
            for start in range(0, n, batch_size):
                size = min(batch_size, n - start)
                chunk_cond = None if cond is None else cond[start : start + size].to(self.device)
                chunks.append(self._solve(solver, field, size, generator, chunk_cond).x.cpu())
        return self.units.to_data(torch.cat(chunks)) if chunks else torch.empty(0, *self.event_shape)

    def solve(
        self, n: int, *, integrator: str | Integrator | None = None, steps: int | None = None,
        seed: int | None = None, cond: Tensor | None = None, guidance: float = 1.0,
        trajectory: bool = False,
    ) -> Solution:
        """One batch of ``n`` samples as a :class:`Solution` (with NFE and, on request, the trajectory),
        end state and trajectory in the data's units."""
        solver = self.integrator_for(integrator, steps)
        generator = self._generator(seed)
        with torch.inference_mode():
            solution = self._solve(solver, self.guided_field(guidance), n, generator, cond, trajectory)
        path = solution.trajectory
        return attrs.evolve(solution, x=self.units.to_data(solution.x),
                            trajectory=None if path is None else self.units.to_data(path))

    def _solve(self, solver: Integrator, field: Field, n: int, generator: torch.Generator,
               cond: Tensor | None, trajectory: bool = False) -> Solution:
        x0 = self.path.sample_prior((n, *self.event_shape), generator=generator, device=self.device)
        if cond is not None:
            cond = cond.to(self.device)
        return solver.sample(field, x0, cond=cond, generator=generator, trajectory=trajectory)

    def log_prob(
        self,
        x: Tensor,
        *,
        integrator: str | Integrator | None = None,
        steps: int | None = None,
        divergence: str = "exact",
        probes: int = 1,
        probe: str = "rademacher",
        seed: int | None = None,
        batch_size: int = 4096,
        cond: Tensor | None = None,
    ) -> Tensor:
        """``log p(x)`` in nats, ``[B]`` on the CPU, for data ``x`` ``[B, *event_shape]`` in the data's
        units (a standardization adds its ``log |det ∂y/∂x| = −Σ log s``).

        The probability-flow ODE is run backward with its divergence (``fmcore.likelihood``):
        ``log p_1(x) = log p_0(x_0) − ∫ div v_t(x_t) dt``. ``divergence`` is ``"exact"`` (one backward
        pass per dimension) or ``"hutchinson"`` (``probes`` Rademacher or Gaussian ``probe`` vectors,
        drawn once per chunk from ``seed``). ``integrator`` must be an ODE method (euler … rk4,
        adaptive, dopri5). Runs under ``torch.no_grad()``, enabling autograd only for the divergence.
        """
        from fmcore import likelihood

        shape = tuple(x.shape[1:])
        if shape != self.event_shape:
            raise FmcoreError(f"data of event shape {list(shape)} do not match the model's {list(self.event_shape)}")
        solver = self.integrator_for(integrator, steps)
        generator = self._generator(seed)
        chunks = []
        with torch.no_grad():
            for start in range(0, x.shape[0], batch_size):
                chunk = self.units.to_model(x[start : start + batch_size].to(self.device, self._dtype()))
                chunk_cond = None if cond is None else cond[start : start + batch_size].to(self.device)
                estimate = likelihood.estimator(divergence, chunk, probes=probes, probe=probe,  # type: ignore[arg-type]
                                                generator=generator)
                chunks.append(likelihood.log_prob(self.field, chunk, solver, estimate, chunk_cond).cpu())
        return torch.cat(chunks) + self.units.log_det() if chunks else torch.empty(0)

    def sample_with_log_prob(
        self,
        n: int,
        *,
        integrator: str | Integrator | None = None,
        steps: int | None = None,
        divergence: str = "exact",
        probes: int = 1,
        probe: str = "rademacher",
        seed: int | None = None,
        cond: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``n`` samples ``[n, *event_shape]`` and their model ``log p`` ``[n]`` (nats), both on the CPU,
        from one forward solve of the ODE augmented with ``−div v_t`` (settings as :meth:`log_prob`)."""
        from fmcore import likelihood

        solver = self.integrator_for(integrator, steps)
        generator = self._generator(seed)
        with torch.no_grad():
            x0 = self.path.sample_prior((n, *self.event_shape), generator=generator, device=self.device,
                                        dtype=self._dtype())
            estimate = likelihood.estimator(divergence, x0, probes=probes, probe=probe,  # type: ignore[arg-type]
                                            generator=generator)
            cond = None if cond is None else cond.to(self.device)
            x, log_p = likelihood.sample_with_log_prob(self.field, x0, solver, estimate, cond)
        return self.units.to_data(x.cpu()), log_p.cpu() + self.units.log_det()

    def _generator(self, seed: int | None) -> torch.Generator:
        """A generator on the pipeline's device seeded with ``seed`` (default: the config's seed)."""
        generator = torch.Generator(self.device)
        generator.manual_seed(self.config.seed if seed is None else seed)
        return generator

    def _dtype(self) -> torch.dtype:
        """The network's floating dtype (the default dtype for a network without parameters)."""
        return next((p.dtype for p in self.network.parameters() if p.is_floating_point()),
                    torch.get_default_dtype())

    def integrator_for(self, integrator: str | Integrator | None, steps: int | None) -> Integrator:
        """The config's integrator, or the one named, with ``steps`` overridden if given."""
        if integrator is not None and not isinstance(integrator, str):
            if steps is not None:
                raise FmcoreError("give steps= only with an integrator name, not an integrator object")
            return integrator
        if integrator is None and steps is None:
            return self.integrator
        key = (integrator, steps)
        if key not in self._integrators:  # built once per name and steps: integrators are immutable
            table = {"name": integrator} if integrator is not None else self.config.integrator.to_dict()
            if steps is not None:
                table["steps"] = steps
            self._integrators[key] = component_spec("integrator", table, get_registry()).build()
        return self._integrators[key]

    @classmethod
    def open(cls, source: str | Path, *, overrides: Iterable[str] = (), device: str | None = None) -> Pipeline:
        """A pipeline ready to sample: a run directory (:meth:`load`), or a config file whose network
        has nothing to train (an exact oracle), with ``--set``-style ``overrides``."""
        if Path(source).is_dir():
            return cls.load(source, device=device, overrides=overrides)
        pipeline = cls(load_config(source, overrides), device=device)
        if any(p.requires_grad for p in pipeline.network.parameters()):
            raise FmcoreError(f"{source}: network '{pipeline.config.network.name}' is untrained; train it "
                              f"(fmcore train {source} --out RUN) and sample the run directory RUN")
        pipeline.network.eval()
        return pipeline

    @classmethod
    def load(cls, run_dir: str | Path, *, device: str | None = None, ema: bool = True,
             overrides: Iterable[str] = ()) -> Pipeline:
        """A trained pipeline from a run directory (latest checkpoint; EMA weights if saved).
        ``overrides`` may change only the integrator (``integrator.*``): the rest is fixed by the weights."""
        fixed = [item for item in overrides if not item.startswith(("integrator.", "integrator="))]
        if fixed:
            raise RunError(f"--set {fixed[0]}: a trained run can change only its integrator "
                           "(integrator.*); its other settings are fixed by the weights")
        run = RunDirectory.open(run_dir)
        config = load_config(run.config_file, overrides)
        info = run.info()
        context = BuildContext(tuple(info["event_shape"]), info.get("num_classes"))
        pipeline = cls(config, context, device=device, units=DataUnits.from_info(info, run.info_file))
        weights = ckpt.load_weights(ckpt.latest(run.checkpoints), prefer_ema=ema)
        try:
            pipeline.network.load_state_dict(weights)
        except RuntimeError as exc:
            first = str(exc).splitlines()[0]
            raise RunError(f"'{run.root}': checkpoint does not fit the configured network: {first}") from None
        pipeline.network.eval()
        return pipeline
