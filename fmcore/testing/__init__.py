"""Testing kit for component authors: conformance checks and fields with known flows.

In a plugin's test suite::

    from fmcore.testing import check_component

    def test_my_path():
        check_component("path", "my-path", {"n": 2})
"""

from fmcore.testing.conformance import (
    check_component,
    check_dataset,
    check_integrator,
    check_network,
    check_objective,
    check_path,
    check_settings_roundtrip,
    check_target,
    devices,
)
from fmcore.testing.fields import GaussianDataField, LinearDecayField, LogisticField, convergence_order

__all__ = [
    "GaussianDataField",
    "LinearDecayField",
    "LogisticField",
    "check_component",
    "check_dataset",
    "check_integrator",
    "check_network",
    "check_objective",
    "check_path",
    "check_settings_roundtrip",
    "check_target",
    "convergence_order",
    "devices",
]
