"""Image data: digits, pixel scaling and dequantization, bits/dim on the same scale, the image
grid, and sampling a digits run as pixels."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from sklearn.datasets import load_digits

import fmcore
from fmcore import FmcoreError
from fmcore.cli import cli
from fmcore.likelihood import bits_per_dim
from fmcore.pixels import from_levels, to_levels
from fmcore.plots.image_grid import save_image_grid

DIGITS = load_digits()
ALL = torch.arange(1797)


def test_digits_are_labelled_images_in_minus_one_to_one():
    ds = fmcore.create("dataset", "digits")
    batch = ds.get(ALL)
    assert len(ds) == 1797 and ds.event_shape == (1, 8, 8) and ds.num_classes == 10 and ds.levels == 17
    assert batch.x.shape == (1797, 1, 8, 8) and batch.x.dtype == torch.float32
    assert torch.equal(batch.cond, torch.from_numpy(DIGITS.target).long())
    assert batch.x.min() >= -1 and batch.x.max() < 1
    unlabelled = fmcore.create("dataset", "digits", labels=False)
    assert unlabelled.num_classes is None and unlabelled.get(ALL[:3]).cond is None


def test_without_dequantization_pixels_sit_at_cell_centres():
    x = fmcore.create("dataset", "digits", dequantize=False).get(ALL).x
    k = torch.from_numpy(DIGITS.images).float()[:, None]
    assert torch.allclose(x, 2 * (k + 0.5) / 17 - 1)
    assert torch.equal(to_levels(x, 17), k.long())


def test_dequantization_fills_each_cell_with_fresh_noise():
    ds = fmcore.create("dataset", "digits")
    torch.manual_seed(0)
    first, second = ds.get(ALL).x, ds.get(ALL).x
    k = torch.from_numpy(DIGITS.images).long()[:, None]
    assert torch.equal(to_levels(first, 17), k) and torch.equal(to_levels(second, 17), k)
    assert not torch.equal(first, second)
    offset = (first + 1) * 17 / 2 - k  # U = (x + 1) L/2 − k ~ Uniform[0, 1)
    assert abs(offset.mean().item() - 0.5) < 0.01 and abs(offset.var().item() - 1 / 12) < 0.005
    torch.manual_seed(0)
    assert torch.equal(ds.get(ALL).x, first)


def test_levels_round_trip_and_clip():
    k = torch.arange(256)
    assert torch.equal(to_levels(from_levels(k, 256, dequantize=True), 256), k)
    assert to_levels(torch.tensor([-5.0, 5.0, 1.0, -1.0]), 256).tolist() == [0, 255, 255, 0]


def test_bits_per_dim_matches_the_dequantization():
    """A density uniform on each cell, ``p(x) = P(k) · L/2`` on the cell of width ``2/L``, has
    ``bits/dim = −log₂ P(k)`` exactly when ``bits_per_dim`` is told the number of levels."""
    levels = 17
    probabilities = torch.softmax(torch.randn(levels, dtype=torch.float64), 0)
    k = torch.arange(levels)
    x = from_levels(k, levels, dequantize=True).double()
    log_p = torch.log(probabilities[to_levels(x, levels)] * levels / 2)
    assert torch.allclose(bits_per_dim(log_p, (1,), levels), -torch.log2(probabilities))


def test_image_grid_writes_a_png_and_refuses_other_shapes(tmp_path):
    save_image_grid(np.random.default_rng(0).uniform(-1, 1, (30, 1, 8, 8)), None, tmp_path / "g.png", "t")
    save_image_grid(np.zeros((4, 3, 5, 7)), np.ones((9, 3, 5, 7)), tmp_path / "rgb.png", "t")
    for name in ("g.png", "rgb.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(FmcoreError, match="1 or 3 channels"):
        save_image_grid(np.zeros((4, 2, 8, 8)), None, tmp_path / "bad.png", "t")


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "digits"
    args = ["train", "examples/digits.toml", "--out", str(out), "--set", "train.steps=2",
            "--set", "train.batch_size=16", "--set", "network.channels=8", "--set", "network.groups=4",
            "--set", "network.heads=2", "--set", "train.checkpoint_every=0"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out


def test_a_digits_run_samples_values_pixels_and_a_grid(digits_run, tmp_path):
    info = json.loads((digits_run / "run.json").read_text())
    assert info["levels"] == 17 and info["num_classes"] == 10 and info["standardization"] is None
    runner = CliRunner()
    values, pixels, grid = tmp_path / "x.npy", tmp_path / "k.npy", tmp_path / "x.png"
    common = [str(digits_run), "-n", "9", "--label", "3", "--guidance", "2", "--seed", "1", "--steps", "2"]
    result = runner.invoke(cli, ["sample", *common, "-o", str(values), "--plot", str(grid)])
    assert result.exit_code == 0, result.output
    assert grid.read_bytes()[:4] == b"\x89PNG"
    result = runner.invoke(cli, ["sample", *common, "-o", str(pixels), "--pixels"])
    assert result.exit_code == 0, result.output
    x, k = np.load(values), np.load(pixels)
    assert x.shape == k.shape == (9, 1, 8, 8) and x.dtype == np.float32 and k.dtype == np.int64
    assert np.array_equal(k, np.clip(np.floor((x + 1) * 17 / 2), 0, 16))


def test_pixels_are_refused_for_unquantized_data(tmp_path):
    result = CliRunner().invoke(cli, ["sample", "examples/oracle-gmm.toml", "-n", "3", "-o",
                                      str(tmp_path / "x.npy"), "--pixels"])
    assert result.exit_code != 0 and "--pixels: the model's data were not quantized" in result.output
    assert not (tmp_path / "x.npy").exists()
