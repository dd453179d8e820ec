"""``fmcore likelihood``: the model's log-density of data from a ``.npy`` file."""

from __future__ import annotations

import io
import json
import math
import time
from pathlib import Path

import click
import numpy as np
import torch

from fmcore.cli.app import cli
from fmcore.cli.completion import complete_names_of
from fmcore.cli.options import device_option, integrator_overrides, json_option, set_option
from fmcore.errors import DataError, FmcoreError
from fmcore.likelihood import bits_per_dim
from fmcore.pipeline import Pipeline
from fmcore.runs import atomic


def _load_points(data: str, event_shape: tuple[int, ...]) -> torch.Tensor:
    """The array in ``data`` as a float tensor ``[N, *event_shape]``, or a one-line :class:`DataError`."""
    file = Path(data)
    if not file.is_file():
        raise DataError(f"--data {data}: no such file")
    try:
        array = np.load(file, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DataError(f"--data {data}: not a readable .npy array ({str(exc).splitlines()[0]})") from None
    if not np.issubdtype(array.dtype, np.number) or array.ndim < 1:
        raise DataError(f"--data {data}: expected a numeric array, got dtype {array.dtype}")
    if tuple(array.shape[1:]) != event_shape:
        raise DataError(f"--data {data}: shape {list(array.shape)} does not match the run: expected "
                        f"[N, {', '.join(map(str, event_shape))}]")
    if array.shape[0] == 0:
        raise DataError(f"--data {data}: the array is empty")
    if not np.isfinite(array).all():
        bad = int((~np.isfinite(array.reshape(array.shape[0], -1))).any(1).sum())
        raise DataError(f"--data {data}: {bad} of {array.shape[0]} points contain NaN or infinite values")
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float64))


@cli.command("likelihood")
@click.argument("source", type=click.Path())
@click.option("--data", required=True, type=click.Path(dir_okay=False),
              help="Points to evaluate (.npy, [N, *event_shape]).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Also write the per-point log p (nats, .npy).")
@click.option("--integrator", default=None, shell_complete=complete_names_of("integrator"),
              help="ODE integrator name (default: the run's).")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Integrator steps.")
@click.option("--divergence", type=click.Choice(["exact", "hutchinson"]), default="exact",
              show_default=True, help="Exact divergence (D backward passes) or Hutchinson's estimate.")
@click.option("--probes", type=click.IntRange(min=1), default=1, show_default=True,
              help="Hutchinson probes per point.")
@click.option("--probe", type=click.Choice(["rademacher", "gaussian"]), default="rademacher",
              show_default=True, help="Distribution of the Hutchinson probes.")
@click.option("--levels", type=click.IntRange(min=2), default=None,
              help="Data were quantized to this many levels and scaled to [-1, 1] (e.g. 256): "
                   "bits/dim include the dequantization offset.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed of the Hutchinson probes.")
@set_option
@json_option
@device_option
def likelihood(source: str, data: str, output: str | None, integrator: str | None, steps: int | None,
               divergence: str, probes: int, probe: str, levels: int | None, seed: int | None,
               overrides: tuple[str, ...], as_json: bool, device: str | None) -> None:
    """Mean negative log-likelihood of the points in --data under SOURCE: a trained run directory, or
    a config file whose network needs no training (an exact oracle)."""
    if output is not None and not output.endswith(".npy"):
        raise FmcoreError(f"-o {output}: the output file must end in .npy")
    pipeline = Pipeline.open(source, overrides=integrator_overrides(integrator, steps, overrides), device=device)
    points = _load_points(data, pipeline.event_shape)
    start = time.perf_counter()
    log_p = pipeline.log_prob(points, divergence=divergence,
                              probes=probes, probe=probe, seed=seed).double()
    seconds = time.perf_counter() - start
    if not torch.isfinite(log_p).all():
        raise FmcoreError(f"log p is not finite for {int((~torch.isfinite(log_p)).sum())} points; "
                          "try another integrator or more steps")
    nll = float(-log_p.mean())
    bpd = float(bits_per_dim(log_p, pipeline.event_shape, levels).mean())
    if output is not None:
        buffer = io.BytesIO()
        np.save(buffer, log_p.numpy(), allow_pickle=False)
        atomic.write_bytes(output, buffer.getvalue())
    name = pipeline.config.integrator.name
    if as_json:
        click.echo(json.dumps({"n": int(log_p.shape[0]), "nll_nats": nll, "bits_per_dim": bpd,
                               "nll_stderr_nats": float(log_p.std() / math.sqrt(log_p.shape[0]))
                               if log_p.shape[0] > 1 else None,
                               "integrator": name, "divergence": divergence, "seconds": seconds}))
    else:
        click.echo(f"{log_p.shape[0]} points: NLL {nll:.4f} nats, {bpd:.4f} bits/dim "
                   f"(integrator {name}, {divergence} divergence, {seconds:.2f} s)")
    if output is not None and not as_json:
        click.echo(f"wrote log p of {log_p.shape[0]} points to {output}")
