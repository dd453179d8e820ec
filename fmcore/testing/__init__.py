"""Testing kit for component authors: conformance checks, fields with known flows, and a pytest
plugin.

In a plugin's ``tests/conftest.py``::

    pytest_plugins = ["fmcore.testing"]      # fixtures fmcore_registry, fmcore_device

and in its tests::

    from fmcore.testing import check_component, check_convergence, check_marginals

    def test_my_sampler_conforms(fmcore_device):
        check_component("integrator", "my-sampler", {"steps": 50}, device=fmcore_device)

    def test_my_sampler_is_second_order():
        check_convergence("my-sampler", order=2)
"""

from fmcore.testing.assertions import assert_close, assert_near
from fmcore.testing.conformance import (
    check_component,
    check_coupling,
    check_dataset,
    check_diffusion,
    check_network,
    check_objective,
    check_settings_roundtrip,
    check_time_grid,
    check_time_sampler,
    devices,
)
from fmcore.testing.fields import GaussianDataField, LinearDecayField, LogisticField, convergence_order
from fmcore.testing.integrator_checks import (
    check_convergence,
    check_integrator,
    check_marginals,
    check_reproducible,
)
from fmcore.testing.isolation import isolated_registry
from fmcore.testing.path_checks import (
    check_conversions,
    check_gaussian_schedule,
    check_path,
    check_prior,
    check_schedule,
    check_target,
)

#: What ``pytest_plugins = ["fmcore.testing"]`` loads: the fixtures ``fmcore_registry`` and ``fmcore_device``.
pytest_plugins = ["fmcore.testing.pytest_plugin"]

__all__ = [
    "GaussianDataField",
    "LinearDecayField",
    "LogisticField",
    "assert_close",
    "assert_near",
    "check_component",
    "check_convergence",
    "check_conversions",
    "check_coupling",
    "check_dataset",
    "check_diffusion",
    "check_gaussian_schedule",
    "check_integrator",
    "check_marginals",
    "check_network",
    "check_objective",
    "check_path",
    "check_prior",
    "check_reproducible",
    "check_schedule",
    "check_settings_roundtrip",
    "check_target",
    "check_time_grid",
    "check_time_sampler",
    "convergence_order",
    "devices",
    "isolated_registry",
]
