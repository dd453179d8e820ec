"""Hook implementations of the built-in metrics."""

from fmcore import Component
from fmcore_metrics.class_accuracy import ClassAccuracy
from fmcore_metrics.cost import NFE, TimePerSample
from fmcore_metrics.frechet import FD
from fmcore_metrics.likelihood import NLL
from fmcore_metrics.mmd import MMD
from fmcore_metrics.sliced import SlicedW2
from fmcore_metrics.wasserstein import W2


def fmcore_metrics() -> list[Component]:
    return [
        Component("w2", W2),
        Component("sliced-w2", SlicedW2),
        Component("mmd", MMD),
        Component("nll", NLL),
        Component("nfe", NFE),
        Component("time-per-sample", TimePerSample),
        Component("fd", FD),
        Component("class-accuracy", ClassAccuracy),
    ]
