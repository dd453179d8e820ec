"""``fmcore plot``: the figures of a run or an oracle config, with ``report.md`` and ``index.html``."""

from __future__ import annotations

import attrs
import click

from fmcore.cli.app import cli
from fmcore.cli.completion import complete_names_of
from fmcore.cli.options import device_option, integrator_overrides, set_option
from fmcore.errors import FmcoreError
from fmcore.plots import FIGURES, PlotSettings, make_report

DEFAULTS = {name: field.default for name, field in attrs.fields_dict(PlotSettings).items()}


def parse_times(text: str) -> tuple[float, ...]:
    """``"0,0.5,1"`` as ``(0.0, 0.5, 1.0)``; a one-line error for anything else."""
    try:
        return tuple(float(item) for item in text.split(","))
    except ValueError:
        raise FmcoreError(f"--times {text}: expected comma-separated numbers in [0, 1], "
                          "e.g. 0,0.25,0.5,0.75,1") from None


@cli.command("plot")
@click.argument("source", type=click.Path())
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Directory for the PNGs and the report (default: RUN/plots; required for a config).")
@click.option("--integrator", default=None, shell_complete=complete_names_of("integrator"),
              help="Sampling integrator name (default: the run's).")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Integrator steps.")
@set_option
@click.option("-n", "n", type=click.IntRange(min=1), default=DEFAULTS["n"], show_default=True,
              help="Samples drawn for the samples figure.")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULTS["seed"], show_default=True,
              help="Seed of every draw.")
@click.option("--times", default=",".join(f"{t:g}" for t in DEFAULTS["times"]), show_default=True,
              help="Times of the velocity-field panels, comma-separated in [0, 1].")
@click.option("--only", multiple=True, type=click.Choice(FIGURES),
              help="Draw only this figure (repeatable; default: all that apply).")
@click.option("--resolution", type=click.IntRange(min=2), default=DEFAULTS["resolution"], show_default=True,
              help="Density grid points per side.")
@device_option
def plot(source: str, out: str | None, integrator: str | None, steps: int | None, overrides: tuple[str, ...],
         n: int, seed: int, times: str, only: tuple[str, ...], resolution: int, device: str | None) -> None:
    """Draw SOURCE (a trained run directory, or a config file whose network needs no training) as PNGs:
    samples beside the data, the learned density, trajectories, the velocity field and the loss curve,
    with report.md and a self-contained index.html. Figures that do not apply are noted and skipped."""
    settings = PlotSettings(n=n, seed=seed, times=parse_times(times), only=only, resolution=resolution)
    report = make_report(source, out, settings=settings, device=device,
                         overrides=integrator_overrides(integrator, steps, overrides))
    for figure in report.figures:
        click.echo(f"{figure.name:<13}{figure.seconds:6.1f} s  {report.directory / figure.file}")
    for note in report.notes:
        click.echo(f"note: {note}")
    click.echo(f"report: {report.directory / 'report.md'} and {report.directory / 'index.html'}")
