"""Classifier-free guidance in the Field: one place, every target, no integrator change."""

from __future__ import annotations

import pytest
import torch

import fmcore
from fmcore import Field


class LabelShift(torch.nn.Module):
    """net(x, t, c) = x + shift[c]: class 2 is the "no label" class."""

    def __init__(self):
        super().__init__()
        self.shift = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=torch.float64)

    def forward(self, x, t, cond=None):
        return x + self.shift[cond]


@pytest.mark.parametrize("target", ["velocity", "score", "noise", "data", "v"])
def test_guided_prediction_extrapolates_from_the_unconditional_one(target):
    path = fmcore.create("path", "vp")
    net = LabelShift()
    x = torch.randn(4, 2, dtype=torch.float64)
    t = torch.full((4,), 0.5, dtype=torch.float64)
    cond = torch.tensor([0, 1, 0, 1])
    guided = Field(net, fmcore.create("target", target), path, guidance=3.0, null_cond=2)
    plain = Field(net, fmcore.create("target", target), path)
    expected = net(x, t, torch.full_like(cond, 2)) + 3.0 * (net(x, t, cond) - net(x, t, torch.full_like(cond, 2)))
    assert torch.allclose(guided.predict(x, t, cond), expected)
    # every quantity is the same linear combination, so conversions commute with guidance
    for quantity in ("velocity", "score", "data", "noise"):
        mixed = (getattr(plain, quantity)(x, t, torch.full_like(cond, 2))
                 + 3.0 * (getattr(plain, quantity)(x, t, cond) - getattr(plain, quantity)(x, t, torch.full_like(cond, 2))))
        assert torch.allclose(getattr(guided, quantity)(x, t, cond), mixed), quantity


def test_scale_one_and_no_labels_are_unguided():
    net = LabelShift()
    path, target = fmcore.create("path", "condot"), fmcore.create("target", "velocity")
    x, t = torch.randn(2, 2, dtype=torch.float64), torch.full((2,), 0.3, dtype=torch.float64)
    cond = torch.tensor([0, 1])
    assert torch.equal(Field(net, target, path, 1.0, 2).predict(x, t, cond), net(x, t, cond))
    with pytest.raises(ValueError, match="no label"):
        Field(net, target, path, 2.0).predict(x, t, cond)


def test_integrators_run_a_guided_field_unchanged():
    net = LabelShift()
    field = Field(net, fmcore.create("target", "velocity"), fmcore.create("path", "condot"), 2.0, 2)
    x0 = torch.zeros(2, 2, dtype=torch.float64)
    cond = torch.tensor([0, 1])
    solution = fmcore.create("integrator", "euler", steps=10).sample(field, x0, cond=cond)
    # u = x + 0.5 + 2 (shift_c − 0.5) is linear: dx/dt = x + b, x(1) = b (e − 1)
    b = torch.tensor([[1.5, -0.5], [-0.5, 1.5]], dtype=torch.float64)
    assert solution.nfe == 10 and torch.allclose(solution.x, b * (1.1**10 - 1), atol=1e-12)
