"""The report's content, written as ``report.md`` and as a self-contained ``index.html``."""

from __future__ import annotations

import html
from pathlib import Path

import attrs

from fmcore.plots.evaluation import Evaluation


@attrs.frozen
class Drawn:
    """A figure written to ``file`` (a name in the report's directory) with its caption, drawn in
    ``seconds``."""

    name: str
    file: str
    caption: str
    seconds: float


@attrs.frozen
class Report:
    """What the report in ``directory`` shows: the summary rows, the evaluation (if any), the figures
    drawn and the notes (figures skipped, and why)."""

    title: str
    directory: Path
    summary: tuple[tuple[str, str], ...]
    evaluation: Evaluation | None
    figures: tuple[Drawn, ...]
    notes: tuple[str, ...]


def _metric_rows(evaluation: Evaluation) -> list[tuple[str, str, str]]:
    return [(m.name, f"{m.value:.6g}" + (f" {m.unit}" if m.unit else ""), m.summary) for m in evaluation.metrics]


def _evaluated_with(evaluation: Evaluation) -> str:
    parts = []
    if evaluation.n_samples is not None:
        parts.append(f"{evaluation.n_samples} samples")
    if evaluation.integrator:
        parts.append("integrator " + ", ".join(f"{k} = {v}" for k, v in evaluation.integrator.items()))
    if evaluation.seed is not None:
        parts.append(f"seed {evaluation.seed}")
    if evaluation.created:
        parts.append(f"created {evaluation.created}")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report: Report) -> str:
    """``report.md``: tables and images linked by their relative file names."""
    lines = [f"# {report.title}", "", "| | |", "|---|---|"]
    lines += [f"| {_cell(key)} | {_cell(value)} |" for key, value in report.summary]
    lines += ["", "## Metrics", ""]
    if report.evaluation is None:
        lines.append("No eval.json: run `fmcore eval RUN` to add metrics.")
    else:
        lines += [_evaluated_with(report.evaluation), "", "| metric | value | what it measures |", "|---|---|---|"]
        lines += [f"| {_cell(a)} | {_cell(b)} | {_cell(c)} |" for a, b, c in _metric_rows(report.evaluation)]
    for figure in report.figures:
        lines += ["", f"## {figure.name}", "", f"![{figure.name}]({figure.file})", "", figure.caption]
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


STYLE = ("body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}"
         "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;"
         "text-align:left;vertical-align:top}img{max-width:100%}figure{margin:1.5rem 0}"
         "figcaption{color:#555}")


def _table(rows: list[tuple[str, ...]], head: tuple[str, ...] | None = None) -> str:
    def row(cells: tuple[str, ...], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>"

    header = "" if head is None else row(head, "th")
    return "<table>" + header + "".join(row(r, "td") for r in rows) + "</table>"


def html_page(report: Report) -> str:
    """``index.html``: one file with inline style; images referenced by their relative file names."""
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(report.title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{html.escape(report.title)}</h1>",
             _table(list(report.summary)), "<h2>Metrics</h2>"]
    if report.evaluation is None:
        parts.append("<p>No eval.json: run <code>fmcore eval RUN</code> to add metrics.</p>")
    else:
        parts.append(f"<p>{html.escape(_evaluated_with(report.evaluation))}</p>")
        parts.append(_table(_metric_rows(report.evaluation), ("metric", "value", "what it measures")))
    for figure in report.figures:
        name, file, caption = (html.escape(text) for text in (figure.name, figure.file, figure.caption))
        parts.append(f"<h2>{name}</h2><figure><img src='{file}' alt='{name}'>"
                     f"<figcaption>{caption}</figcaption></figure>")
    if report.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes) + "</ul>")
    return "".join(parts) + "</body></html>\n"
