"""The plugin author's testing kit ``fmcore.testing``: its pytest fixtures, and checks that pass on
correct components and fail, with the numbers and the tolerance, on subtly wrong ones."""

from __future__ import annotations

import math
import types

import attrs
import pytest
import torch

import fmcore
from fmcore import Component, Solution
from fmcore.testing import (
    check_component,
    check_convergence,
    check_marginals,
    check_prior,
    check_reproducible,
    devices,
    isolated_registry,
)


# ---------------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------------


def test_fmcore_registry_holds_the_builtins_and_what_the_test_registers(fmcore_registry):
    assert fmcore.get_registry() is fmcore_registry
    loaded = {info.distribution for info in fmcore_registry.plugins if info.status == "loaded"}
    assert loaded == {"fmcore"}
    fmcore.register_plugin(types.SimpleNamespace(fmcore_integrators=lambda: [Component("kit-euler", Euler)]),
                           "kit")
    assert fmcore.create("integrator", "kit-euler").steps == 20


def test_isolated_registry_puts_the_previous_one_back():
    before = fmcore.get_registry()
    with isolated_registry() as registry:
        fmcore.register_plugin(types.SimpleNamespace(fmcore_paths=lambda: [Component("kit-path", StraightPath)]),
                               "kit")
        assert fmcore.get_registry() is registry and "kit-path" in registry.names("path")
    assert fmcore.get_registry() is before and "kit-path" not in before.names("path")


def test_fmcore_device_runs_the_test_on_each_device(fmcore_device):
    assert fmcore_device in devices()


# ---------------------------------------------------------------------------------------------------
# Paths: a non-Gaussian path with a uniform prior, right and subtly wrong
# ---------------------------------------------------------------------------------------------------


@attrs.frozen
class StraightPath:
    """x_t = t z + (1 − t) ε with ε uniform on [−1, 1]^D (a non-Gaussian prior)."""

    t_min: float = 0.0
    t_max: float = 1.0

    def sample_prior(self, shape, *, generator=None, device=None, dtype=None):
        return 2 * torch.rand(shape, generator=generator, device=device, dtype=dtype) - 1

    def prior_log_prob(self, x):
        inside = (x.abs() <= 1).flatten(1).all(1)
        density = -x[0].numel() * math.log(2.0)
        return torch.where(inside, density, -torch.inf).to(x.dtype)

    def sample_noise(self, z, *, generator=None):
        return self.sample_prior(z.shape, generator=generator, device=z.device, dtype=z.dtype)

    def sample(self, z, t, noise):
        t = t.reshape(-1, *([1] * (z.ndim - 1)))
        return t * z + (1 - t) * noise

    def velocity(self, x, z, t):
        return (z - x) / (1 - t.reshape(-1, *([1] * (z.ndim - 1))))

    def score(self, x, z, t):
        return torch.zeros_like(x)


@attrs.frozen
class HalfNormalisedPath(StraightPath):
    """Its prior density integrates to 2: log 2 short of the right constant in 2-D."""

    def prior_log_prob(self, x):
        return super().prior_log_prob(x) + math.log(2.0)


@attrs.frozen
class SlowPath(StraightPath):
    """Its velocity is 1% too small."""

    def velocity(self, x, z, t):
        return 0.99 * super().velocity(x, z, t)


@attrs.frozen
class BadSchedule(fmcore.GaussianPath):
    """CondOT with σ̇ off by 1%."""

    def schedule(self, t):
        one = torch.ones_like(t)
        return fmcore.Coefficients(alpha=t, sigma=1 - t, d_alpha=one, d_sigma=-1.01 * one)


def _register(**hooks):
    fmcore.register_plugin(types.SimpleNamespace(**hooks), "kit")


def test_a_correct_non_gaussian_path_passes_every_check(fmcore_registry):
    _register(fmcore_paths=lambda: [Component("straight", StraightPath)])
    check_component("path", "straight")


@pytest.mark.parametrize(("path", "message"), [
    (HalfNormalisedPath, r"∫ exp\(prior_log_prob\) dx by importance sampling: 1\.99\d, expected 1 ± 0\.0\d+"),
    (SlowPath, r"velocity\(x_t, z, t\) against d/dt sample\(z, t, ε\) by autograd: \|got − want\| = "
               r"[0-9.e-]+ at \[\d+, \d\] .* exceeds the tolerance"),
    (BadSchedule, r"d_sigma against autograd d/dt: \|got − want\| = 0\.01 at \[\d+\] \(got -1\.01, want -1\)"),
], ids=["unnormalised-prior", "slow-velocity", "wrong-d-sigma"])
def test_a_subtly_wrong_path_fails_with_the_numbers(fmcore_registry, path, message):
    _register(fmcore_paths=lambda: [Component("wrong", path)])
    with pytest.raises(AssertionError, match=message):
        check_component("path", "wrong")


def test_check_prior_measures_the_normalisation():
    check_prior(fmcore.create("path", "ve"), "ve")  # a wide prior: N(0, 50² I)
    with pytest.raises(AssertionError, match=r"path 'half': ∫ exp"):
        check_prior(HalfNormalisedPath(), "path 'half'")


# ---------------------------------------------------------------------------------------------------
# Integrators
# ---------------------------------------------------------------------------------------------------


@attrs.frozen
class Euler:
    """Euler's method, written out (uniform steps)."""

    steps: int = fmcore.setting(20, "steps")

    def sample(self, field, x0, *, cond=None, generator=None, trajectory=False):
        times = torch.linspace(*field.time_range, self.steps + 1, dtype=torch.float64).to(x0)
        x, states = x0, [x0]
        for t0, t1 in zip(times[:-1], times[1:]):
            x = x + (t1 - t0) * field.velocity(x, t0.expand(len(x)), cond)
            states.append(x)
        return Solution(x, self.steps, torch.stack(states) if trajectory else None, times if trajectory else None)


@attrs.frozen
class GlobalNoiseEuler(Euler):
    """Euler plus a little noise drawn from torch's global generator, ignoring the one passed."""

    def sample(self, field, x0, *, cond=None, generator=None, trajectory=False):
        return super().sample(field, x0 + 1e-3 * torch.randn_like(x0), cond=cond, trajectory=trajectory)


@attrs.frozen
class Correlating:
    """Returns ``1 + ½ x0 R`` with ``R`` mixing the coordinates: the right mean, a wrong covariance."""

    def sample(self, field, x0, *, cond=None, generator=None, trajectory=False):
        mix = torch.tensor([[1.0, 0.6], [0.0, 0.8]], dtype=x0.dtype)
        return Solution(1 + 0.5 * x0 @ mix, 1)


def test_convergence_order_of_known_methods():
    assert abs(check_convergence("euler", 1) - 1) < 0.3
    check_convergence("rk4", 4, flow="logistic", steps=(4, 8, 16, 32))
    check_convergence("dpm-solver-2m", 2, {"grid": "uniform"}, flow="gaussian", path="vp", steps=(16, 32, 64))
    check_convergence(Euler(), 1, flow="gaussian")  # an object: rebuilt with each number of steps


def test_convergence_failure_names_the_order_the_errors_and_the_tolerance():
    with pytest.raises(AssertionError, match=r"integrator 'euler': observed order on dx/dt = −2x over path "
                                             r"'condot' \(max end-point error by steps 8: [0-9.e-]+, 16: .*\): "
                                             r"1\.\d+, expected 2 ± 0\.3"):
        check_convergence("euler", 2)


def test_marginals_of_ode_and_sde_samplers():
    mean, covariance = check_marginals("heun", {"steps": 20}, n=2000)
    assert mean.shape == (2,) and covariance.shape == (2, 2)
    check_marginals("euler-maruyama", {"steps": 50}, path="vp", n=2000)


def test_marginals_failure_names_the_entry_and_the_tolerance():
    message = (r"integrator Correlating sampling N\(1, 0\.5² I\) data in 2-D \(4000 samples\): covariance: "
               r"\|got − want\| = 0\.1\d* at \[0, 1\]")
    with pytest.raises(AssertionError, match=message):
        check_marginals(Correlating())


def test_reproducibility_catches_noise_from_the_global_generator():
    assert check_reproducible("euler-maruyama", {"steps": 5}, stochastic=True)
    assert not check_reproducible(Euler(), stochastic=False)
    with pytest.raises(AssertionError, match="draw noise only from the generator argument"):
        check_reproducible(GlobalNoiseEuler())
    with pytest.raises(AssertionError, match="give identical samples; expected a stochastic sampler"):
        check_reproducible("heun", stochastic=True)


def test_check_component_runs_the_integrator_checks_on_a_registered_plugin(fmcore_registry):
    _register(fmcore_integrators=lambda: [Component("kit-euler", Euler), Component("kit-noisy", GlobalNoiseEuler)])
    check_component("integrator", "kit-euler")
    with pytest.raises(AssertionError, match="integrator 'kit-noisy': the same generator seed"):
        check_component("integrator", "kit-noisy")
