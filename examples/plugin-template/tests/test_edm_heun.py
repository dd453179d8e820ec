"""The edm-heun integrator, checked with fmcore's testing kit (``fmcore.testing``)."""

from __future__ import annotations

import pytest
import torch

import fmcore
from fmcore.testing import (
    GaussianDataField,
    check_component,
    check_convergence,
    check_marginals,
    check_reproducible,
)
from fmcore_plugin_template import plugin

CHURN = {"steps": 40, "s_churn": 20.0}


def test_is_installed_as_an_fmcore_plugin():
    provided = fmcore.get_registry().resolve("integrator", "edm-heun")
    assert (provided.distribution, provided.plugin) == ("fmcore-plugin-template", "edm")


@pytest.mark.parametrize("settings", [{}, CHURN], ids=["deterministic", "churn"])
def test_conforms(settings, fmcore_device):
    """Protocol, dtypes, device, settings round trip; the end point on dx/dt = −2x without churn, and
    reproducibility and the mean and covariance of N(1, 0.5² I) samples with it."""
    check_component("integrator", "edm-heun", settings, device=fmcore_device)


def test_conforms_when_registered_from_python(fmcore_registry):
    """Without the entry point: registered into a registry that holds only fmcore's built-ins."""
    assert "edm-heun" not in fmcore_registry.names("integrator")
    fmcore.register_plugin(plugin, "edm-local")
    assert fmcore_registry.resolve("integrator", "edm-heun").distribution == "local"
    check_component("integrator", "edm-heun")


@pytest.mark.parametrize("flow", ["linear", "logistic", "gaussian"])
def test_second_order_without_churn(flow):
    """On its default grid, spaced in the noise level (on a grid uniform in t the first steps stay
    large in σ/α and the error falls only like h² log(1/h))."""
    check_convergence("edm-heun", 2, flow=flow, steps=(16, 32, 64, 128), tolerance=0.35)


@pytest.mark.parametrize("path", ["condot", "vp", "ve"])
def test_churn_keeps_the_marginals(path):
    check_marginals("edm-heun", CHURN, path=path)


def test_churn_is_the_only_randomness():
    assert check_reproducible("edm-heun", CHURN) is True
    assert check_reproducible("edm-heun", {"s_churn": 0.0}) is False
    assert check_reproducible("edm-heun", {**CHURN, "s_tmax": 0.0}) is False  # churn nowhere


def test_samples_do_not_depend_on_the_gaussian_path():
    """In ``x/α`` and ``σ/α`` every Gaussian path has the same ODE, and the churn the same kernel: CondOT
    and trig (both from α = 0, σ = 1 to σ = 0) give the same samples from the same draws."""
    x0 = torch.randn(256, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    sampler = fmcore.create("integrator", "edm-heun", **CHURN)
    ends = [sampler.sample(GaussianDataField(fmcore.create("path", name)), x0,
                           generator=torch.Generator().manual_seed(1)).x for name in ("condot", "trig")]
    assert (ends[0] - ends[1]).abs().max() < 1e-9


@pytest.mark.parametrize(("path", "nfe"), [("condot", 2 * 18 - 2), ("vp", 2 * 18)])
def test_field_evaluations(path, nfe):
    """One evaluation per step and one per Heun correction, which is skipped on a step from α = 0 and
    on a step to σ = 0 (CondOT has both ends; VP reaches neither)."""
    field = GaussianDataField(fmcore.create("path", path))
    calls = []

    class Counting:
        time_range, path = field.time_range, field.path

        def velocity(self, x, t, cond=None):
            calls.append(t)
            return field.velocity(x, t, cond)

    solution = fmcore.create("integrator", "edm-heun").sample(Counting(), torch.zeros(4, 2, dtype=torch.float64))
    assert solution.nfe == len(calls) == nfe


def test_refuses_a_path_that_is_not_gaussian():
    field = GaussianDataField(fmcore.create("path", "condot"))
    field.path = object()
    with pytest.raises(ValueError, match="needs a Gaussian path"):
        fmcore.create("integrator", "edm-heun").sample(field, torch.zeros(4, 2))
