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

from fmcore.cli.app import cli
from fmcore.cli.options import device_option, integrator_overrides, set_option
from fmcore.config import load_config
from fmcore.errors import DataError, FmcoreError
from fmcore.pipeline import Pipeline
from fmcore.runs import atomic
from fmcore.scatter import save_scatter


@cli.command("train")
@click.argument("config_file", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Run directory to create (default: runs/<config>-<time>).")
@set_option
@device_option
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
def train(config_file: str, out: str | None, overrides: tuple[str, ...], device: str | None,
          progress: bool | None) -> None:
    """Train the model CONFIG_FILE describes; write a run directory."""
    cfg = load_config(config_file, overrides)
    if out is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = str(Path("runs") / f"{Path(config_file).stem}-{stamp}")
    if progress is None:
        progress = sys.stderr.isatty()
    pipeline = Pipeline(cfg, device=device)
    result = pipeline.train(out, progress=progress)
    click.echo(f"trained {result.steps} steps in {result.seconds:.1f} s, final loss "
               f"{result.final_loss:.4f}; run saved in {out}")


@cli.command("sample")
@click.argument("source", type=click.Path())
@click.option("-n", "n", type=click.IntRange(min=1), required=True, help="Number of samples.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Where to write the samples (.npy).")
@click.option("--integrator", default=None, help="Integrator name (default: the run's).")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Integrator steps.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed of the prior draw.")
@click.option("--label", type=click.IntRange(min=0), default=None,
              help="Class label of every sample (class-conditional models).")
@click.option("--guidance", type=float, default=1.0, show_default=True,
              help="Classifier-free guidance scale with --label (1: none).")
@set_option
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Also draw 2-D samples beside the training data into this PNG (needs matplotlib).")
@device_option
def sample(source: str, n: int, output: str, integrator: str | None, steps: int | None,
           seed: int | None, label: int | None, guidance: float, overrides: tuple[str, ...],
           plot: str | None, device: str | None) -> None:
    """Draw N samples into OUTPUT (.npy) from SOURCE: a trained run directory, or a config file whose
    network needs no training (an exact oracle). --set changes integrator.* settings."""
    if not output.endswith(".npy"):
        raise FmcoreError(f"-o {output}: the output file must end in .npy")
    pipeline = Pipeline.open(source, overrides=integrator_overrides(integrator, steps, overrides), device=device)
    cond = labels(pipeline, label, guidance, n)
    start = time.perf_counter()
    x = pipeline.sample(n, seed=seed, cond=cond, guidance=guidance)
    seconds = time.perf_counter() - start
    buffer = io.BytesIO()
    np.save(buffer, x.numpy(), allow_pickle=False)
    atomic.write_bytes(output, buffer.getvalue())
    name = pipeline.config.integrator.name
    click.echo(f"wrote {n} samples of shape {list(x.shape[1:])} to {output} (integrator {name}, {seconds:.2f} s)")
    if plot is not None:
        try:
            data = pipeline.dataset.get(torch.arange(min(n, len(pipeline.dataset)))).x.numpy()
        except DataError:  # the training data may have moved; plot the samples alone
            data = None
        save_scatter(x.numpy(), data, plot, f"{Path(source).name}: {name}")
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
