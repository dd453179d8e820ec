"""Objectives: their formulas, time samplers, weightings, and the combinations refused."""

from __future__ import annotations

import pytest
import torch

import fmcore
from fmcore import Batch, ConfigError, Field


class Linear(torch.nn.Module):
    """net(x, t) = W [x, t] + b, enough to make the loss depend on parameters."""

    def __init__(self, dim=2):
        super().__init__()
        self.layer = torch.nn.Linear(dim + 1, dim).double()

    def forward(self, x, t, cond=None):
        return self.layer(torch.cat([x, t[:, None]], 1))


def _draws(path, z, seed, sampler="uniform"):
    """Repeat the objective's draws: t from the time sampler, then the noise."""
    torch.manual_seed(seed)
    t = fmcore.create("time-sampler", sampler).sample(z.shape[0], path.t_min, path.t_max, dtype=z.dtype)
    return t, path.sample_noise(z)


@pytest.mark.parametrize(("target", "weighting"), [("velocity", "none"), ("noise", "sigma2"),
                                                    ("data", "none"), ("v", "none")])
def test_cfm_is_the_weighted_regression_on_the_conditional_target(target, weighting):
    path, net = fmcore.create("path", "condot"), Linear()
    z = torch.randn(256, 2, dtype=torch.float64)
    field = Field(net, fmcore.create("target", target), path)
    t, eps = _draws(path, z, seed=0)
    torch.manual_seed(0)
    loss = fmcore.create("objective", "cfm", weighting=weighting).loss(field, Batch(z))
    tt = t[:, None]
    x_t = tt * z + (1 - tt) * eps
    wanted = {"velocity": z - eps, "noise": eps, "data": z, "v": (1 - tt) * z - tt * eps}[target]
    w = (1 - t) ** 2 if weighting == "sigma2" else torch.ones_like(t)
    expected = (w * (net(x_t, t) - wanted).square().mean(1)).mean()
    assert torch.allclose(loss, expected, rtol=1e-12)


@pytest.mark.parametrize("target", ["score", "noise", "velocity", "data"])
def test_dsm_is_the_stable_sigma_weighted_score_regression(target):
    path, net = fmcore.create("path", "condot"), Linear()
    tgt = fmcore.create("target", target)
    z = torch.randn(256, 2, dtype=torch.float64)
    t, eps = _draws(path, z, seed=3)
    torch.manual_seed(3)
    loss = fmcore.create("objective", "dsm").loss(Field(net, tgt, path), Batch(z))
    x_t = path.sample(z, t, eps)
    score = tgt.to_score(path, net(x_t, t), x_t, t)
    sigma = (1 - t)[:, None]
    expected = (score + eps / sigma).square().mul(sigma**2).mean(1).mean()  # λ = σ²: ‖σ s + ε‖²
    assert torch.allclose(loss, expected, rtol=1e-10)
    torch.manual_seed(3)
    unweighted = fmcore.create("objective", "dsm", weighting="none").loss(Field(net, tgt, path), Batch(z))
    assert torch.allclose(unweighted, (score + eps / sigma).square().mean(1).mean(), rtol=1e-10)


@pytest.mark.parametrize(("name", "settings", "mean"), [
    ("uniform", {}, 0.2 + 0.6 * 0.5),
    ("beta", {"a": 2.0, "b": 6.0}, 0.2 + 0.6 * 2 / 8),
])
def test_time_sampler_means(name, settings, mean):
    torch.manual_seed(0)
    t = fmcore.create("time-sampler", name, **settings).sample(200_000, 0.2, 0.8, dtype=torch.float64)
    assert abs(t.mean().item() - mean) < 3e-3 and t.min() >= 0.2 and t.max() <= 0.8


def test_logit_normal_quantiles():
    torch.manual_seed(0)
    t = fmcore.create("time-sampler", "logit-normal", mean=0.5, std=0.8).sample(200_000, 0.0, 1.0,
                                                                                 dtype=torch.float64)
    logit = torch.log(t / (1 - t))
    assert abs(logit.mean().item() - 0.5) < 0.01 and abs(logit.std().item() - 0.8) < 0.01


def test_time_sampler_is_chosen_in_config():
    base = {"data": {"name": "moons"}}
    cfg = fmcore.load_config({**base, "objective": {"name": "cfm",
                              "time_sampler": {"name": "logit-normal", "std": 0.5}}})
    sampler = cfg.objective.settings.time_sampler
    assert sampler.name == "logit-normal" and sampler.settings.std == 0.5
    assert cfg.to_dict()["objective"]["time_sampler"] == {"name": "logit-normal", "mean": 0.0, "std": 0.5}
    assert fmcore.load_config(cfg.to_dict()) == cfg
    short = fmcore.load_config({**base, "objective": {"name": "cfm", "time_sampler": "beta"}})
    assert short.objective.settings.time_sampler.name == "beta"
    default = fmcore.load_config(base)
    assert default.to_dict()["objective"] == {"name": "cfm", "time_sampler": {"name": "uniform"},
                                              "weighting": "none", "coupling": {"name": "independent"},
                                              "sigma": 0.0}
    with pytest.raises(ConfigError) as info:
        fmcore.load_config({**base, "objective": {"name": "cfm", "time_sampler": {"name": "logit-normal",
                                                                                 "std": -1.0, "sclae": 2}}})
    places = {issue.place for issue in info.value.issues}
    assert places == {"$.objective.time_sampler.std", "$.objective.time_sampler.sclae"}
    with pytest.raises(ConfigError, match=r"\$\.objective\.time_sampler\.name: unknown time-sampler "
                                          r"'unifrom'; did you mean 'uniform'"):
        fmcore.load_config({**base, "objective": {"name": "dsm", "time_sampler": "unifrom"}})


@pytest.mark.parametrize(("objective", "message"), [
    ({"name": "dsm", "weighting": "likelihood"}, "infinite where α = 0"),
    ({"name": "cfm", "weighting": "snr"}, "infinite where α = 0"),
])
def test_senseless_combinations_are_refused(objective, message):
    with pytest.raises(ConfigError) as info:
        fmcore.load_config({"data": {"name": "moons"}, "path": {"name": "condot"}, "objective": objective})
    (issue,) = info.value.issues
    assert issue.place == "$.objective" and message in issue.message and "condot" in issue.message
