"""matplotlib, an optional dependency, drawn through its Agg canvas: no pyplot, no global backend."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fmcore.errors import FmcoreError
from fmcore.runs import atomic

INSTALL_HINT = "drawing needs matplotlib, which is not installed: pip install 'fmcore[plot]'"


def require() -> None:
    """Raise a one-line :class:`FmcoreError` when matplotlib cannot be imported."""
    try:
        import matplotlib.backends.backend_agg  # noqa: F401
    except ImportError:
        raise FmcoreError(INSTALL_HINT) from None


def new_figure(width: float, height: float) -> Any:
    """A ``matplotlib.figure.Figure`` of ``width × height`` inches with constrained layout, on an Agg
    canvas (so a notebook's or a user's pyplot state is left alone)."""
    require()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_png(figure: Any, file: str | Path) -> None:
    """Write ``figure`` to ``file`` as a PNG at 100 dpi, atomically."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    atomic.write_bytes(file, buffer.getvalue())
