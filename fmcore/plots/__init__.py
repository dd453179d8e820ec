"""Pictures of a model: samples beside the data, its density, trajectories, velocity field and loss
curve, gathered in a report (``fmcore plot``). matplotlib is needed only when drawing."""

from fmcore.plots.pages import Drawn, Report
from fmcore.plots.report import make_report
from fmcore.plots.settings import FIGURES, PlotSettings

__all__ = ["FIGURES", "Drawn", "PlotSettings", "Report", "make_report"]
