"""``fmcore train`` and ``fmcore sample``."""

from __future__ import annotations

import datetime
import io
import sys
import time
from pathlib import Path

import click
import numpy as np
import torch

from fmcore import distributed
from fmcore.cli.app import cli
from fmcore.cli.completion import complete_names_of
from fmcore.cli.options import device_option, integrator_overrides, set_option
from fmcore.config import load_config
from fmcore.errors import DataError, FmcoreError
from fmcore.pipeline import Pipeline
from fmcore.pixels import to_levels
from fmcore.plots.image_grid import save_image_grid
from fmcore.plots.scatter import save_scatter
from fmcore.runs import atomic
from fmcore.training import TrainingInterrupted, resumed_config


@cli.command("train")
@click.argument("config_file", type=click.Path(dir_okay=False), required=False)
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Run directory to create (default: runs/<config>-<time>).")
@click.option("--resume", type=click.Path(file_okay=False), default=None,
              help="Continue this run directory from its latest checkpoint (no CONFIG_FILE; "
                   "--set train.steps=N may raise its steps).")
@set_option
@device_option
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
def train(config_file: str | None, out: str | None, resume: str | None, overrides: tuple[str, ...],
          device: str | None, progress: bool | None) -> None:
    """Train the model CONFIG_FILE describes and write a run directory, or continue one with
    --resume RUN. Started by torchrun, it trains on all its processes (DistributedDataParallel)."""
    if resume is not None:
        if config_file is not None or out is not None:
            raise FmcoreError("--resume RUN takes no CONFIG_FILE and no --out: the run holds its config")
        cfg, out = resumed_config(resume, overrides), resume
    elif config_file is None:
        raise FmcoreError("give the CONFIG_FILE to train, or --resume RUN to continue a run")
    else:
        cfg = load_config(config_file, overrides)
    if out is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = str(Path("runs") / f"{Path(str(config_file)).stem}-{stamp}")
    if progress is None:
        progress = sys.stderr.isatty()
    place = distributed.init_from_environment(device or cfg.train.device)
    try:
        pipeline = Pipeline(cfg, device=device)
        result = pipeline.train(out, progress=progress, resume=resume is not None)
    except TrainingInterrupted as stop:
        if place.main:
            click.echo(str(stop), err=True)
        sys.exit(130)
    except FmcoreError:
        if not place.main:  # rank 0 reports it
            sys.exit(1)
        raise
    finally:
        distributed.shutdown()
    if place.main:
        click.echo(f"trained {result.steps} steps in {result.seconds:.1f} s, final loss "
                   f"{result.final_loss:.4f}; run saved in {out}")


@cli.command("sample")
@click.argument("source", type=click.Path())
@click.option("-n", "n", type=click.IntRange(min=1), required=True, help="Number of samples.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Where to write the samples (.npy).")
@click.option("--integrator", default=None, shell_complete=complete_names_of("integrator"),
              help="Integrator name (default: the run's).")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Integrator steps.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed of the prior draw.")
@click.option("--label", type=click.IntRange(min=0), default=None,
              help="Class label of every sample (class-conditional models).")
@click.option("--guidance", type=float, default=1.0, show_default=True,
              help="Classifier-free guidance scale with --label (1: none).")
@set_option
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Also draw 2-D samples (a scatter) or images (a grid) beside the training data into "
                   "this PNG (needs matplotlib).")
@click.option("--pixels", is_flag=True, help="Write pixel levels 0..L-1 (clipped, floored) instead of "
                                             "values in [-1, 1] (data quantized to L levels, e.g. digits).")
@device_option
def sample(source: str, n: int, output: str, integrator: str | None, steps: int | None,
           seed: int | None, label: int | None, guidance: float, overrides: tuple[str, ...],
           plot: str | None, pixels: bool, device: str | None) -> None:
    """Draw N samples into OUTPUT (.npy) from SOURCE: a trained run directory, or a config file whose
    network needs no training (an exact oracle). --set changes integrator.* settings."""
    if not output.endswith(".npy"):
        raise FmcoreError(f"-o {output}: the output file must end in .npy")
    pipeline = Pipeline.open(source, overrides=integrator_overrides(integrator, steps, overrides), device=device)
    cond = labels(pipeline, label, guidance, n)
    levels = pipeline.units.levels
    if pixels and levels is None:
        raise FmcoreError("--pixels: the model's data were not quantized to pixel levels")
    start = time.perf_counter()
    x = pipeline.sample(n, seed=seed, cond=cond, guidance=guidance)
    seconds = time.perf_counter() - start
    buffer = io.BytesIO()
    np.save(buffer, (to_levels(x, levels) if pixels and levels else x).numpy(), allow_pickle=False)
    atomic.write_bytes(output, buffer.getvalue())
    name = pipeline.config.integrator.name
    click.echo(f"wrote {n} samples of shape {list(x.shape[1:])} to {output} (integrator {name}, {seconds:.2f} s)")
    if plot is not None:
        try:
            data = pipeline.units.to_data(pipeline.dataset.get(torch.arange(min(n, len(pipeline.dataset)))).x).numpy()
        except DataError:  # the training data may have moved; plot the samples alone
            data = None
        draw = save_image_grid if x.ndim == 4 else save_scatter
        draw(x.numpy(), data, plot, f"{Path(source).name}: {name}")
        click.echo(f"wrote {plot}")



def labels(pipeline: Pipeline, label: int | None, guidance: float, n: int) -> torch.Tensor | None:
    """``n`` copies of ``--label``, checked against the model's classes (``None`` without a label)."""
    classes = pipeline.context.num_classes
    if label is None:
        if guidance != 1.0:
            raise FmcoreError("--guidance needs --label: guidance steers toward a class")
        return None
    if classes is None:
        raise FmcoreError(f"--label {label}: the model is not class-conditional (its data have no labels)")
    if label >= classes:
        raise FmcoreError(f"--label {label}: the model knows classes 0 to {classes - 1}")
    return torch.full((n,), label, dtype=torch.long)
