"""Figure ``loss``: the training loss from ``RUN/metrics.jsonl``, smoothed, with the learning rate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from fmcore.errors import RunError
from fmcore.plots.backend import new_figure, save_png
from fmcore.plots.source import NotDrawn, PlotSource


def read_metrics(file: Path) -> list[dict[str, Any]]:
    """The records of ``metrics.jsonl`` that have a ``step`` and a ``loss``, in order. A last line cut
    short by a crash is ignored; any other line that is not a JSON object is a one-line
    :class:`RunError` naming the file and line."""
    lines = file.read_text(encoding="utf-8").splitlines()
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):
                break
            raise RunError(f"{file}, line {number}: not a JSON record") from None
        if not isinstance(record, dict):
            raise RunError(f"{file}, line {number}: not a JSON object")
        if "loss" in record and "step" in record:
            if not all(_is_number(record[key]) for key in ("step", "loss")):
                raise RunError(f"{file}, line {number}: step and loss must be numbers")
            records.append(record)
    return records


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def smooth(values: np.ndarray, beta: float) -> np.ndarray:
    """The bias-corrected exponential moving average ``m_k = β m_{k−1} + (1 − β) v_k``, ``m_0 = 0``,
    reported as ``m_k / (1 − β^k)`` (so it starts at ``v_1``)."""
    out = np.empty(len(values))
    m = 0.0
    for k, value in enumerate(values, start=1):
        m = beta * m + (1 - beta) * value
        out[k - 1] = m / (1 - beta**k)
    return out


def draw_loss(source: PlotSource, file: Path) -> str:
    """Loss per logged step (log scale when positive) with its EMA; ``lr`` on a second axis if logged."""
    if source.run is None:
        raise NotDrawn("loss: no run directory, so no training log")
    if not source.run.metrics_file.is_file():
        raise NotDrawn(f"loss: {source.run.metrics_file} does not exist")
    records = read_metrics(source.run.metrics_file)
    if not records:
        raise NotDrawn(f"loss: {source.run.metrics_file} holds no loss records")
    steps = np.array([r["step"] for r in records], dtype=float)
    loss = np.array([r["loss"] for r in records], dtype=float)
    span = max(1.0, source.settings.smoothing * len(loss))
    beta = 1.0 - 1.0 / span
    fig = new_figure(6.0, 3.4)
    ax = fig.subplots()
    ax.plot(steps, loss, color="tab:blue", alpha=0.35, linewidth=0.8, label="loss")
    ax.plot(steps, smooth(loss, beta), color="tab:blue", linewidth=1.6, label=f"EMA over ~{span:.0f} records")
    positive = bool((loss > 0).all())
    if positive:
        ax.set_yscale("log")
    ax.set(xlabel="step", ylabel="loss")
    rates = [(r["step"], r["lr"]) for r in records if _is_number(r.get("lr"))]
    if rates:
        lr_axis = ax.twinx()
        lr_axis.plot(*zip(*rates), color="tab:orange", linewidth=1.0, label="learning rate")
        lr_axis.set_ylabel("learning rate", color="tab:orange")
    ax.legend(loc="upper right", frameon=False)
    save_png(fig, file)
    final = f"final loss {loss[-1]:.4g} at step {int(steps[-1])}"
    scale = "log scale" if positive else "linear scale (some losses are ≤ 0)"
    rate = " and the learning rate" if rates else ""
    return f"training loss per logged step ({scale}) with its EMA{rate}; {final}"


def final_loss(file: Path) -> tuple[int, float] | None:
    """``(step, loss)`` of the last loss record, or ``None`` without one."""
    records = read_metrics(file) if file.is_file() else []
    return (int(records[-1]["step"]), float(records[-1]["loss"])) if records else None

