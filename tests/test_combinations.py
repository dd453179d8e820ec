"""Every path × target × objective trains from a config and samples finite points; what makes no
sense is refused at config time."""

from __future__ import annotations

import itertools

import attrs
import pytest
import torch

import fmcore
from fmcore import Component, ConfigError

PATHS = ["condot", "polynomial", "trig", "cosine", "vp", "subvp", "ve", "gaussian"]
TARGETS = ["velocity", "score", "noise", "data", "v"]
OBJECTIVES = ["cfm", "dsm"]


@pytest.mark.parametrize(("path", "target", "objective"), list(itertools.product(PATHS, TARGETS, OBJECTIVES)))
def test_combination_trains_and_samples(path, target, objective):
    cfg = fmcore.load_config({
        "data": {"name": "8gaussians", "n": 256}, "path": {"name": path}, "target": {"name": target},
        "objective": {"name": objective}, "network": {"name": "mlp", "width": 16, "depth": 1},
        "integrator": {"name": "euler", "steps": 4},
        "train": {"steps": 3, "batch_size": 64, "log_every": 3, "ema_decay": 0.0},
    })
    pipe = fmcore.Pipeline.from_config(cfg)
    result = pipe.train()
    assert torch.isfinite(torch.tensor(result.final_loss))
    assert torch.isfinite(pipe.sample(32)).all()


@attrs.frozen
class UniformBridge:
    """A non-Gaussian path: x_t = t z + (1 − t) x₀, x₀ ~ U[−1, 1]^D; u_t(x|z) = (z − x)/(1 − t)."""

    t_min = 0.0
    t_max = 0.99

    def sample_prior(self, shape, *, generator=None, device=None, dtype=None):
        return 2 * torch.rand(shape, generator=generator, device=device, dtype=dtype) - 1

    def prior_log_prob(self, x):
        inside = (x.abs() <= 1).flatten(1).all(1)
        logp = torch.full(x.shape[:1], -x[0].numel() * torch.log(torch.tensor(2.0)).item(), dtype=x.dtype)
        return torch.where(inside, logp, torch.full_like(logp, -torch.inf))

    def sample_noise(self, z, *, generator=None):
        return self.sample_prior(z.shape, generator=generator, device=z.device, dtype=z.dtype)

    def sample(self, z, t, noise):
        t = t.reshape(-1, *([1] * (z.ndim - 1)))
        return t * z + (1 - t) * noise

    def velocity(self, x, z, t):
        return (z - x) / (1 - t.reshape(-1, *([1] * (z.ndim - 1))))

    def score(self, x, z, t):
        raise NotImplementedError("the uniform bridge has no conditional score")


@pytest.fixture
def bridge():
    fmcore.reset_registry()
    fmcore.register_plugin(type("Bridge", (), {"fmcore_paths": staticmethod(
        lambda: [Component("uniform-bridge", UniformBridge)])})(), "bridge")
    yield
    fmcore.reset_registry()


def test_non_gaussian_path_trains_a_velocity(bridge):
    cfg = fmcore.load_config({"data": {"name": "moons", "n": 256}, "path": {"name": "uniform-bridge"},
                              "network": {"name": "mlp", "width": 16},
                              "train": {"steps": 5, "batch_size": 64, "log_every": 5}})
    pipe = fmcore.Pipeline.from_config(cfg)
    pipe.train()
    assert torch.isfinite(pipe.sample(16)).all()


@pytest.mark.parametrize(("change", "place", "message"), [
    ({"target": {"name": "score"}}, "$.target.name", "a score prediction needs a Gaussian path"),
    ({"target": {"name": "v"}}, "$.target.name", "a v prediction needs a Gaussian path"),
    ({"objective": {"name": "dsm"}}, "$.objective", "denoising score matching needs a Gaussian path"),
    ({"objective": {"name": "cfm", "weighting": "sigma2"}}, "$.objective", "needs a Gaussian path"),
])
def test_senseless_combinations_on_a_non_gaussian_path_are_refused(bridge, change, place, message):
    with pytest.raises(ConfigError) as info:
        fmcore.load_config({"data": {"name": "moons"}, "path": {"name": "uniform-bridge"}, **change})
    (issue,) = info.value.issues
    assert issue.place == place and message in issue.message and "uniform-bridge" in issue.message
