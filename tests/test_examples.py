"""The shipped example configs are valid, and the parameter-free one samples its mixture."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import fmcore

EXAMPLES = sorted(Path("examples").glob("*.toml"))


def test_there_are_examples():
    assert {p.name for p in EXAMPLES} >= {"moons.toml", "vp-score.toml", "oracle-gmm.toml"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_validates_and_round_trips(example):
    cfg = fmcore.load_config(example)
    assert fmcore.load_config(cfg.to_dict()) == cfg


def test_oracle_example_samples_the_mixture_without_training():
    pipe = fmcore.Pipeline.from_config("examples/oracle-gmm.toml")
    x = pipe.sample(20_000, seed=0)
    means = torch.tensor([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    expected = (torch.tensor([0.25, 0.25, 0.5])[:, None] * means).sum(0)
    assert torch.allclose(x.mean(0), expected, atol=0.05)
