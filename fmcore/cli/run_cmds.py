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
from fmcore.cli.options import device_option, set_option
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
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("-n", "n", type=click.IntRange(min=1), required=True, help="Number of samples.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Where to write the samples (.npy).")
@click.option("--integrator", default=None, help="Integrator name (default: the run's).")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Integrator steps.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed of the prior draw.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Also draw 2-D samples beside the training data into this PNG (needs matplotlib).")
@device_option
def sample(run_dir: str, n: int, output: str, integrator: str | None, steps: int | None,
           seed: int | None, plot: str | None, device: str | None) -> None:
    """Draw N samples from the trained run RUN_DIR into OUTPUT (.npy)."""
    if not output.endswith(".npy"):
        raise FmcoreError(f"-o {output}: the output file must end in .npy")
    pipeline = Pipeline.load(run_dir, device=device)
    solver = pipeline.integrator_for(integrator, steps)
    start = time.perf_counter()
    x = pipeline.sample(n, integrator=solver, seed=seed)
    seconds = time.perf_counter() - start
    buffer = io.BytesIO()
    np.save(buffer, x.numpy(), allow_pickle=False)
    atomic.write_bytes(output, buffer.getvalue())
    name = integrator or pipeline.config.integrator.name
    click.echo(f"wrote {n} samples of shape {list(x.shape[1:])} to {output} (integrator {name}, {seconds:.2f} s)")
    if plot is not None:
        try:
            data = pipeline.dataset.get(torch.arange(min(n, len(pipeline.dataset)))).x.numpy()
        except DataError:  # the training data may have moved; plot the samples alone
            data = None
        save_scatter(x.numpy(), data, plot, f"{Path(run_dir).name}: {name}")
        click.echo(f"wrote {plot}")

