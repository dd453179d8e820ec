"""Label conditioning: the "no label" class, label dropout's rate, and that training drops labels."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import fmcore
from fmcore import Batch, BuildContext
from fmcore.conditioning import drop_labels


def test_dropout_replaces_labels_by_the_null_class_at_its_rate():
    torch.manual_seed(0)
    cond = torch.randint(10, (200_000,))
    dropped = drop_labels(Batch(torch.zeros(200_000, 2), cond), 0.1, 10).cond
    null = dropped == 10
    assert abs(null.double().mean().item() - 0.1) < 0.003
    assert torch.equal(dropped[~null], cond[~null])
    assert (drop_labels(Batch(torch.zeros(5, 2), cond[:5]), 1.0, 10).cond == 10).all()


def test_dropout_leaves_unlabelled_batches_and_rate_zero_alone():
    plain = Batch(torch.zeros(4, 2))
    assert drop_labels(plain, 0.5, None) is plain
    labelled = Batch(torch.zeros(4, 2), torch.arange(4))
    assert drop_labels(labelled, 0.0, 4) is labelled


def test_dropout_follows_the_global_seed():
    batch = Batch(torch.zeros(100, 2), torch.zeros(100, dtype=torch.long))
    torch.manual_seed(5)
    first = drop_labels(batch, 0.5, 1).cond
    torch.manual_seed(5)
    assert torch.equal(drop_labels(batch, 0.5, 1).cond, first)


def test_mlp_reads_none_as_the_null_class():
    torch.manual_seed(0)
    net = fmcore.create("network", "mlp", width=32, context=BuildContext((3,), 4))
    x, t = torch.randn(6, 3), torch.rand(6)
    assert torch.equal(net(x, t), net(x, t, torch.full((6,), 4)))
    assert not torch.allclose(net(x, t, torch.zeros(6, dtype=torch.long)), net(x, t))
    plain = fmcore.create("network", "mlp", width=32, context=BuildContext((3,), None))
    with pytest.raises(ValueError, match="without classes"):
        plain(x, t, torch.zeros(6, dtype=torch.long))


@pytest.fixture
def labelled_csv(tmp_path):
    rng = np.random.default_rng(0)
    rows = np.column_stack([rng.normal(size=(64, 2)), rng.integers(0, 3, 64)])
    np.savetxt(tmp_path / "l.csv", rows, delimiter=",", header="a,b,label", comments="", fmt=["%.5f", "%.5f", "%d"])
    return tmp_path / "l.csv"


@pytest.mark.parametrize("dropout", [0.0, 1.0])
def test_training_drops_labels(labelled_csv, dropout):
    """Rows of the label embedding that no batch uses keep their initial values exactly (AdamW
    without weight decay moves only parameters with a gradient)."""
    config = {"data": {"name": "csv", "path": str(labelled_csv), "label_column": "label"},
              "network": {"name": "mlp", "width": 16, "depth": 1},
              "train": {"steps": 3, "batch_size": 32, "label_dropout": dropout, "ema_decay": 0.0,
                        "device": "cpu"}}
    pipe = fmcore.Pipeline.from_config(config)
    assert pipe.context.num_classes == 3
    before = pipe.network.label_embedding.weight.detach().clone()
    pipe.train()
    moved = (pipe.network.label_embedding.weight != before).any(dim=1).tolist()
    assert moved == ([True, True, True, False] if dropout == 0.0 else [False, False, False, True])


def test_label_dropout_is_validated():
    with pytest.raises(fmcore.ConfigError, match=r"\$.train.label_dropout"):
        fmcore.load_config({"data": {"name": "moons"}, "train": {"label_dropout": 1.5}})
