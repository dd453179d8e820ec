"""Tabular data: the csv reader and its errors, npy and csv standardization, and samples and
densities that come back in the file's units."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import fmcore
from fmcore import DataError
from fmcore.cli import cli
from fmcore.data_units import DataUnits
from fmcore.standardization import Standardization


def write(tmp_path, text, name="data.csv"):
    file = tmp_path / name
    file.write_text(text)
    return file


def csv_data(file, **settings):
    return fmcore.create("dataset", "csv", path=str(file), **settings)


def test_header_is_detected_and_columns_are_chosen_by_name(tmp_path):
    file = write(tmp_path, "a,b,label,c\n1,10,0,100\n2,20,2,200\n\n3,30,1,300\n")
    ds = csv_data(file, standardize=False, label_column="label", columns=["c", "a"])
    assert ds.event_shape == (2,) and len(ds) == 3 and ds.x.dtype == torch.float32
    assert ds.x.tolist() == [[100, 1], [200, 2], [300, 3]]
    assert ds.labels.tolist() == [0, 2, 1] and ds.num_classes == 3
    everything = csv_data(file, standardize=False)
    assert everything.x.shape == (3, 4) and everything.num_classes is None and everything.get(torch.tensor([0])).cond is None


def test_headerless_files_name_columns_by_position(tmp_path):
    file = write(tmp_path, "1;2;0\n3;4;1.0\n", "plain.csv")
    ds = csv_data(file, delimiter=";", label_column="2", standardize=False)
    assert ds.x.tolist() == [[1, 2], [3, 4]] and ds.labels.tolist() == [0, 1]
    assert csv_data(file, delimiter=";", header="yes", standardize=False).x.tolist() == [[3, 4, 1]]


def test_standardization_is_per_column_and_inverts(tmp_path):
    rng = np.random.default_rng(0)
    raw = np.stack([rng.normal(1000, 50, 500), rng.normal(-3, 0.01, 500), np.full(500, 7.0)], 1)
    np.savetxt(tmp_path / "d.csv", raw, delimiter=",", header="x,y,const", comments="")
    ds = csv_data(tmp_path / "d.csv")
    assert torch.allclose(ds.x[:, :2].mean(0), torch.zeros(2), atol=1e-5)
    assert torch.allclose(ds.x[:, :2].std(0, correction=0), torch.ones(2), atol=1e-5)
    assert (ds.x[:, 2] == 0).all() and ds.standardization.std[2] == 1  # a constant column is only shifted
    back = ds.standardization.inverse(ds.x.double())
    assert np.allclose(back.numpy(), raw, rtol=1e-6)
    assert ds.standardization.log_det() == pytest.approx(-math.log(raw[:, 0].std()) - math.log(raw[:, 1].std()))


def test_npy_standardizes_on_request(npy_file):
    raw = np.load(npy_file)
    assert np.array_equal(fmcore.create("dataset", "npy", path=str(npy_file)).x.numpy(), raw)
    ds = fmcore.create("dataset", "npy", path=str(npy_file), standardize=True)
    assert np.allclose(ds.x.numpy(), (raw - raw.mean(0)) / raw.std(0), atol=1e-5)


@pytest.mark.parametrize(
    ("text", "settings", "message"),
    [
        ("a,b\n1,2\n3,x\n", {}, "line 3, column 'b': 'x' is not a number"),
        ("a,b\n1,2\n3,nan\n", {}, "line 3, column 'b': 'nan' is NaN or infinite"),
        ("a,b\n1,2\n\n3,4,5\n", {}, "line 4 has 3 fields, expected 2"),
        ("a,b\n1,2\n", {"columns": ["c"]}, "'c' is not a column (columns: a, b)"),
        ("a,a\n1,2\n", {"columns": ["a"]}, "'a' names 2 columns"),
        ("a,b\n", {}, "holds a header but no data rows"),
        ("\n\n", {}, "holds no rows"),
        ("a,label\n1,0\n2,cat\n", {"label_column": "label"}, "line 3, label column 'label': 'cat' is not a class label"),
        ("a,label\n1,-1\n", {"label_column": "label"}, "'-1' is not a class label"),
        ("a,label\n1,2.5\n", {"label_column": "label"}, "'2.5' is not a class label"),
        ("a,label\n1,inf\n", {"label_column": "label"}, "'inf' is not a class label"),
        ("a,label\n1,0\n", {"label_column": "label", "columns": []}, None),
        ("label\n1\n", {"label_column": "label"}, "no feature columns"),
    ],
)
def test_csv_errors_name_the_file_line_and_column(tmp_path, text, settings, message):
    file = write(tmp_path, text)
    if message is None:
        assert csv_data(file, **settings).event_shape == (1,)
        return
    with pytest.raises(DataError) as info:
        csv_data(file, **settings)
    assert message in str(info.value) and str(file) in str(info.value) and "\n" not in str(info.value)


def test_csv_missing_and_binary_files(tmp_path):
    with pytest.raises(DataError, match="file does not exist"):
        csv_data(tmp_path / "nope.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(DataError, match="cannot read the file as CSV text"):
        csv_data(tmp_path / "bin.csv")


def test_bad_settings_are_config_errors(tmp_path):
    with pytest.raises(fmcore.ConfigError, match=r"delimiter.*single character"):
        fmcore.load_config({"data": {"name": "csv", "path": "x.csv", "delimiter": ";;"}})
    with pytest.raises(fmcore.ConfigError, match="header"):
        fmcore.load_config({"data": {"name": "csv", "path": "x.csv", "header": "maybe"}})


@pytest.fixture
def gaussian_csv(tmp_path):
    """Two columns in very different units: N(1000, 50²) and N(−3, 0.02²)."""
    rng = np.random.default_rng(1)
    raw = np.stack([rng.normal(1000, 50, 2000), rng.normal(-3, 0.02, 2000)], 1)
    np.savetxt(tmp_path / "g.csv", raw, delimiter=",", header="income,ph", comments="")
    return tmp_path / "g.csv", raw


def oracle_config(file):
    """The exact field of N(0, I) in the model's units, i.e. N(μ, diag s²) in the file's units."""
    return {"data": {"name": "csv", "path": str(file)},
            "network": {"name": "oracle-gmm", "means": [[0.0, 0.0]], "stds": [[1.0]]},
            "integrator": {"name": "rk4", "steps": 20}}


def test_samples_and_densities_come_back_in_the_file_units(gaussian_csv):
    file, raw = gaussian_csv
    pipe = fmcore.Pipeline.from_config(oracle_config(file))
    x = pipe.sample(4000, seed=0).double()
    assert np.allclose(x.mean(0).numpy(), raw.mean(0), rtol=1e-3)
    assert np.allclose(x.std(0).numpy(), raw.std(0), rtol=0.05)
    points = torch.from_numpy(raw[:50])
    mean, std = torch.from_numpy(raw.mean(0)), torch.from_numpy(raw.std(0))
    exact = torch.distributions.Normal(mean, std).log_prob(points).sum(1)
    assert torch.allclose(pipe.log_prob(points).double(), exact, atol=1e-3)
    samples, log_p = pipe.sample_with_log_prob(20, seed=3)
    assert torch.allclose(log_p.double(), torch.distributions.Normal(mean, std).log_prob(samples.double()).sum(1), atol=1e-3)
    solution = pipe.solve(10, trajectory=True)
    assert torch.equal(solution.x, solution.trajectory[-1]) and solution.x[:, 0].mean() > 500


def test_a_run_keeps_its_standardization(gaussian_csv, tmp_path):
    file, raw = gaussian_csv
    config = {"data": {"name": "csv", "path": str(file)}, "network": {"name": "mlp", "width": 16, "depth": 1},
              "integrator": {"name": "euler", "steps": 5},
              "train": {"steps": 2, "batch_size": 64, "checkpoint_every": 0, "device": "cpu"}}
    trained = fmcore.Pipeline.from_config(config)
    trained.train(tmp_path / "run")
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert np.allclose(info["standardization"]["mean"], raw.mean(0)) and info["levels"] is None
    file.unlink()  # sampling a run never reads its data
    loaded = fmcore.Pipeline.load(tmp_path / "run")
    assert torch.equal(loaded.units.standardization.std, trained.units.standardization.std)
    assert torch.allclose(loaded.sample(8, seed=2), trained.sample(8, seed=2))
    out = tmp_path / "x.npy"
    result = CliRunner().invoke(cli, ["sample", str(tmp_path / "run"), "-n", "8", "--seed", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert np.allclose(np.load(out), loaded.sample(8, seed=2).numpy()) and np.load(out)[:, 0].mean() > 500


def test_broken_standardization_in_run_json_is_a_run_error(tmp_path):
    with pytest.raises(fmcore.RunError, match="run.json: 'standardization'"):
        DataUnits.from_info({"standardization": {"mean": [0.0], "std": [0.0]}}, tmp_path / "run.json")
    with pytest.raises(fmcore.RunError, match="'levels' must be an integer"):
        DataUnits.from_info({"levels": 1}, tmp_path / "run.json")
    units = DataUnits.from_info({"standardization": Standardization.fit(torch.randn(9, 2)).to_json()}, tmp_path)
    assert units.levels is None and units.standardization.mean.shape == (2,)
