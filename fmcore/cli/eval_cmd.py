"""``fmcore eval``: the metrics of a model's samples and densities (a thin shell on
:func:`fmcore.evaluation.evaluate`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from fmcore.cli.app import cli
from fmcore.cli.completion import complete_names_of
from fmcore.cli.options import device_option, integrator_overrides, json_option
from fmcore.evaluation import Evaluation, evaluate, split_overrides
from fmcore.pipeline import Pipeline
from fmcore.runs import RunDirectory


@cli.command("eval")
@click.argument("source", type=click.Path())
@click.option("-n", "n", type=click.IntRange(min=2), default=2000, show_default=True,
              help="Number of samples, and of reference points drawn from the data set.")
@click.option("--integrator", default=None, shell_complete=complete_names_of("integrator"),
              help="Integrator name (default: the run's).")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Integrator steps.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="integrator.KEY=VALUE tunes the integrator, metric.NAME.KEY=VALUE a metric "
                   "(e.g. metric.sliced-w2.projections=1024); repeatable.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the samples, the reference points and the metrics' randomness.")
@click.option("--metric", "metrics", multiple=True, shell_complete=complete_names_of("metric"),
              help="A metric to compute (repeatable; default: every one that applies).")
@click.option("--label-guidance", "guidance", type=float, default=1.0, show_default=True,
              help="Classifier-free guidance scale of a class-conditional model (1: none).")
@json_option
@device_option
def eval_command(source: str, n: int, integrator: str | None, steps: int | None, overrides: tuple[str, ...],
                 seed: int, metrics: tuple[str, ...], guidance: float, as_json: bool, device: str | None) -> None:
    """Sample N points from SOURCE (a trained run directory, or a config file whose network needs no
    training), compare them with N points of its data set, and print the metrics; for a run
    directory also write RUN/eval.json. Metrics that do not apply are skipped with the reason."""
    model_overrides, settings = split_overrides(overrides)
    pipeline = Pipeline.open(source, overrides=integrator_overrides(integrator, steps, model_overrides),
                             device=device)
    run = RunDirectory.open(source) if Path(source).is_dir() else None
    result = evaluate(pipeline, n=n, seed=seed, metrics=list(metrics) or None, settings=settings,
                      guidance=guidance, cache=None if run is None else run.eval_dir, source=source)
    if run is not None:
        result.save(run.eval_file)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1))
        return
    click.echo(table(result))
    if run is not None:
        click.echo(f"wrote {run.eval_file}")


def table(result: Evaluation) -> str:
    """The measurements as aligned columns, then the skipped metrics and what was evaluated."""
    rows = [("metric", "value", "unit")] + [(m.name, f"{m.value:.6g}", m.unit) for m in result.measurements]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{name:<{widths[0]}}  {value:>{widths[1]}}  {unit}".rstrip() for name, value, unit in rows]
    lines += [f"skipped {name}: {reason}" for name, reason in result.skipped.items()]
    settings = ", ".join(f"{k} {v}" for k, v in result.integrator.items() if k != "name" and not isinstance(v, dict))
    lines.append(f"{result.n} samples, seed {result.seed}, integrator {result.integrator['name']}"
                 f"{f' ({settings})' if settings else ''}; reference: {result.reference}")
    return "\n".join(lines)
