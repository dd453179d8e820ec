"""Every registered component passes the conformance checks of its kind, on every device."""

from __future__ import annotations

import numpy as np
import pytest

import fmcore
from fmcore import get_registry
from fmcore.testing import check_component, devices

REQUIRED_SETTINGS = {
    ("dataset", "npy"): lambda tmp: {"path": str(tmp)},
    ("dataset", "csv"): lambda tmp: {"path": str(_as_csv(tmp))},
    ("schedule", "knots"): lambda _: {"alpha": [[0, 0], [0.5, 0.3], [1, 1]],
                                      "sigma": [[0, 1], [0.5, 0.8], [1, 0]]},
    ("time-grid", "explicit"): lambda _: {"points": [0.0, 0.3, 0.7, 0.95, 1.0]},
}


EVENT_SHAPES = {("network", "unet"): (1, 8, 8)}


def _as_csv(npy_file):
    """The rows of ``npy_file`` written as a CSV file beside it."""
    csv_file = npy_file.with_suffix(".csv")
    np.savetxt(csv_file, np.load(npy_file), delimiter=",", header="a,b,c", comments="")
    return csv_file


def _all_components():
    return [(p.kind, p.qualified_name) for p in get_registry().all()]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize(("kind", "name"), _all_components())
def test_component_conforms(kind, name, device, npy_file):
    bare = name.split(":")[1]
    settings = REQUIRED_SETTINGS.get((kind, bare), lambda _: {})(npy_file)
    check_component(kind, name, settings, device=device, event_shape=EVENT_SHAPES.get((kind, bare), (2,)))


def test_every_kind_has_a_builtin_component():
    kinds = {p.kind for p in get_registry().all() if p.distribution == "fmcore"}
    assert kinds == set(fmcore.KINDS)
