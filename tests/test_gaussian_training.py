"""Training across the Gaussian family: each target trained, then sampled through its converted velocity."""

from __future__ import annotations

import pytest

import fmcore
from tests.distances import wasserstein2

TRAIN = {"steps": 600, "batch_size": 256, "lr": 3e-3, "lr_schedule": "cosine", "log_every": 800}


@pytest.fixture(scope="module")
def reference():
    return fmcore.create("dataset", "moons", n=800, seed=123).x.numpy()


@pytest.mark.parametrize(("path", "target", "objective", "integrator"), [
    ({"name": "vp"}, "score", {"name": "dsm"}, {"name": "heun", "steps": 60}),
    ({"name": "vp"}, "noise", {"name": "cfm"}, {"name": "heun", "steps": 40}),
    # x̂₁-prediction makes the ODE stiff as σ → 0 (v = (x̂₁ − x)/(1 − t) on CondOT): Heun's end-point
    # stage amplifies errors there, Euler's left-point steps do not.
    ({"name": "condot"}, "data", {"name": "cfm"}, {"name": "euler", "steps": 60}),
    ({"name": "trig"}, "v", {"name": "cfm", "time_sampler": "logit-normal"}, {"name": "euler", "steps": 60}),
])
def test_trains_and_samples_through_the_converted_velocity(path, target, objective, integrator, reference):
    cfg = fmcore.load_config({
        "data": {"name": "moons", "n": 5000}, "path": path, "target": {"name": target},
        "objective": objective, "network": {"name": "mlp", "width": 64}, "integrator": integrator,
        "train": TRAIN,
    })
    pipe = fmcore.Pipeline.from_config(cfg)
    untrained = wasserstein2(pipe.sample(800, seed=1).numpy(), reference)
    pipe.train()
    samples = pipe.sample(800, seed=1).numpy()
    trained = wasserstein2(samples, reference)
    assert untrained > 0.6 and trained < 0.4, (untrained, trained)
