"""Data sets: seeded toys, the .npy loader and its errors, and the epoch order."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import fmcore
from fmcore import DataError, EpochOrder

TOYS = ["moons", "circles", "8gaussians", "checkerboard", "swissroll"]


@pytest.mark.parametrize("name", TOYS)
def test_toys_are_seeded_and_sized(name):
    a = fmcore.create("dataset", name, n=500, seed=3)
    b = fmcore.create("dataset", name, n=500, seed=3)
    c = fmcore.create("dataset", name, n=500, seed=4)
    assert len(a) == 500 and a.event_shape == (2,) and a.x.dtype == torch.float32
    assert torch.equal(a.x, b.x) and not torch.equal(a.x, c.x)
    assert a.x.abs().max() < 4.0 and a.x.std(0).min() > 0.2


@pytest.mark.parametrize("name", TOYS)
def test_scale_multiplies_points(name):
    one = fmcore.create("dataset", name, n=100, seed=0).x
    two = fmcore.create("dataset", name, n=100, seed=0, scale=2.0).x
    assert torch.allclose(two, 2 * one)


def test_moons_geometry():
    x = fmcore.create("dataset", "moons", n=20_000, noise=0.0).x.double()
    upper = x + torch.tensor([0.5, 0.25], dtype=torch.float64)  # undo centring
    on_upper = (upper.norm(dim=1) - 1).abs() < 1e-6
    on_lower = ((upper - torch.tensor([1.0, 0.5], dtype=torch.float64)).norm(dim=1) - 1).abs() < 1e-6
    assert (on_upper | on_lower).all()
    assert abs(on_upper.double().mean().item() - 0.5) < 1e-3
    assert 0.4 < on_upper[:1000].double().mean().item() < 0.6  # shuffled: a prefix holds both moons


def test_circles_radii():
    x = fmcore.create("dataset", "circles", n=10_000, noise=0.0, factor=0.3).x.double()
    r = x.norm(dim=1)
    assert ((r - 1).abs() < 1e-6).sum() == 5000 and ((r - 0.3).abs() < 1e-6).sum() == 5000


def test_eight_gaussians_centres():
    ds = fmcore.create("dataset", "8gaussians", n=40_000, radius=3.0, std=0.01)
    angles = torch.atan2(ds.x[:, 1], ds.x[:, 0]) % (2 * torch.pi)
    k = torch.round(angles / (torch.pi / 4)) % 8
    assert torch.bincount(k.long(), minlength=8).min() > 4500
    assert (ds.x.norm(dim=1) - 3).abs().max() < 0.1


def test_checkerboard_squares():
    x = fmcore.create("dataset", "checkerboard", n=20_000).x
    assert x.abs().max() <= 2.0
    parity = (torch.floor(x[:, 0]) + torch.floor(x[:, 1])) % 2
    assert (parity == 0).all()


def test_npy_loads_any_event_shape(tmp_path):
    array = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2 * 3, 4, 5) / 7
    np.save(tmp_path / "a.npy", array)
    ds = fmcore.create("dataset", "npy", path=str(tmp_path / "a.npy"))
    assert len(ds) == 6 and ds.event_shape == (4, 5) and ds.x.dtype == torch.float32
    assert np.allclose(ds.get(torch.tensor([5])).x.numpy(), array[5:6])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file does not exist"),
        (b"not an npy file at all", "not a readable .npy array"),
        (np.zeros(5), "expected an array of shape [N, ...]"),
        (np.zeros((0, 2)), "expected an array of shape [N, ...]"),
        (np.array([["a", "b"]]), "expected numbers"),
        (np.array([[0.0, 1.0], [np.nan, 2.0], [np.inf, 0.0]]), "row 1 holds NaN or infinite values (2 such rows)"),
    ],
)
def test_npy_errors_are_clear(tmp_path, content, message):
    file = tmp_path / "data.npy"
    if isinstance(content, bytes):
        file.write_bytes(content)
    elif content is not None:
        np.save(file, content)
    with pytest.raises(DataError) as info:
        fmcore.create("dataset", "npy", path=str(file))
    assert message in str(info.value) and str(file) in str(info.value)
    assert "\n" not in str(info.value)


def test_npy_refuses_pickled_objects(tmp_path):
    file = tmp_path / "obj.npy"
    np.save(file, np.array([{"a": 1}, {"b": 2}], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="not a readable .npy array"):
        fmcore.create("dataset", "npy", path=str(file))


def test_epoch_order_covers_each_epoch_and_is_a_function_of_step():
    order = EpochOrder(size=10, batch_size=3, seed=0)
    epoch0 = torch.cat([order.indices(s) for s in range(3)])
    assert len(set(epoch0.tolist())) == 9  # 3 whole batches, remainder dropped
    again = EpochOrder(size=10, batch_size=3, seed=0)
    assert torch.equal(again.indices(4), order.indices(4)) and torch.equal(again.indices(1), order.indices(1))
    assert not torch.equal(order.indices(0), order.indices(3))  # a fresh permutation per epoch
    small = EpochOrder(size=2, batch_size=5, seed=1)
    assert small.indices(0).shape == (5,) and small.indices(0).max() < 2
