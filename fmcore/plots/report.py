"""``make_report``: every figure that applies, written with ``report.md`` and ``index.html``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from fmcore.errors import FmcoreError, RunError
from fmcore.pipeline import Pipeline
from fmcore.plots import backend
from fmcore.plots.density import draw_density
from fmcore.plots.evaluation import read_evaluation
from fmcore.plots.loss import draw_loss
from fmcore.plots.pages import Drawn, Report, html_page, markdown
from fmcore.plots.samples import draw_samples
from fmcore.plots.settings import PlotSettings
from fmcore.plots.source import NotDrawn, PlotSource
from fmcore.plots.summary import summary_rows
from fmcore.plots.trajectories import draw_trajectories
from fmcore.plots.velocity import draw_field
from fmcore.runs import RunDirectory, atomic

DRAWERS: dict[str, Callable[[PlotSource, Path], str]] = {
    "samples": draw_samples,
    "density": draw_density,
    "trajectories": draw_trajectories,
    "field": draw_field,
    "loss": draw_loss,
}


def _open(source: Pipeline | str | Path, overrides: Iterable[str],
          device: str | None) -> tuple[Pipeline, RunDirectory | None, str]:
    """The pipeline, its run directory (if ``source`` is one) and a label for the report."""
    if isinstance(source, Pipeline):
        if tuple(overrides):
            raise FmcoreError("overrides apply to a run directory or config file; choose the integrator "
                              "of a Pipeline when building it")
        return source, None, source.config.source or "a pipeline"
    place = Path(source)
    if not place.exists():
        raise RunError(f"{source}: no such run directory or config file")
    run = RunDirectory.open(place) if place.is_dir() else None
    return Pipeline.open(place, overrides=overrides, device=device), run, str(source)


def _directory(out: str | Path | None, run: RunDirectory | None) -> Path:
    if out is None:
        if run is None:
            raise FmcoreError("an oracle config or a pipeline has no run directory to write into: "
                              "give the directory for the pictures (--out DIR)")
        out = run.root / "plots"
    directory = Path(out)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FmcoreError(f"--out {out}: cannot create the directory ({exc.strerror})") from None
    return directory


def make_report(source: Pipeline | str | Path, out: str | Path | None = None, *,
                settings: PlotSettings | None = None, overrides: Iterable[str] = (),
                device: str | None = None) -> Report:
    """Draw the figures of ``settings.figures`` that apply to ``source`` (a run directory, an oracle
    config file or a :class:`Pipeline`) into ``out`` (default ``RUN/plots``) as ``NAME.png``, and
    write ``report.md`` and ``index.html`` there. ``overrides`` (``integrator.*``) change the
    sampling integrator. Figures that do not apply are skipped with a note in the report."""
    backend.require()
    settings = settings or PlotSettings()
    pipeline, run, label = _open(source, overrides, device)
    directory = _directory(out, run)
    plot = PlotSource(pipeline, run, settings)
    drawn = []
    for name in settings.figures:
        start = time.perf_counter()
        try:
            caption = DRAWERS[name](plot, directory / f"{name}.png")
        except NotDrawn as skipped:
            plot.notes.append(str(skipped))
            continue
        drawn.append(Drawn(name, f"{name}.png", caption, time.perf_counter() - start))
    evaluation = None
    if run is not None:
        try:
            evaluation = read_evaluation(run.eval_file)
        except RunError as exc:
            plot.notes.append(f"metrics not shown: {exc}")
    report = Report(f"fmcore report: {label}", directory, tuple(summary_rows(plot, label)), evaluation,
                    tuple(drawn), tuple(plot.notes))
    atomic.write_text(directory / "report.md", markdown(report))
    atomic.write_text(directory / "index.html", html_page(report))
    return report
