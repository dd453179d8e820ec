"""The training loop: non-finite loss, EMA, warm-up, progress bar."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import fmcore
from fmcore import TrainingError
from fmcore.cli import cli


def _config(**train):
    return {"data": {"name": "moons", "n": 2000}, "network": {"name": "mlp", "width": 16, "depth": 1},
            "train": {"steps": 20, "batch_size": 64, "log_every": 5, **train}}


def test_non_finite_loss_stops_with_a_clear_message(tmp_path):
    bad = tmp_path / "huge.npy"
    np.save(bad, np.full((100, 2), 3e38, dtype=np.float32))
    cfg = {**_config(checkpoint_every=5), "data": {"name": "npy", "path": str(bad)}}
    with pytest.raises(TrainingError, match=r"loss became (inf|nan) by step 5"):
        fmcore.Pipeline.from_config(cfg).train(tmp_path / "run")
    assert not (tmp_path / "run" / "checkpoints").exists()  # nothing non-finite was saved


def test_non_finite_loss_keeps_last_good_checkpoint(tmp_path):
    pipe = fmcore.Pipeline.from_config(_config(checkpoint_every=5, steps=20))
    loss = pipe.objective.loss
    calls = []

    def poisoned(field, batch):
        calls.append(1)
        value = loss(field, batch)
        return value * float("nan") if len(calls) > 7 else value

    pipe.objective = _Poisoned(poisoned)
    with pytest.raises(TrainingError) as info:
        pipe.train(tmp_path / "run")
    assert "by step 10" in str(info.value) and "step-00000005" in str(info.value)
    assert [p.name for p in (tmp_path / "run" / "checkpoints").iterdir()] == ["step-00000005"]


class _Poisoned:
    def __init__(self, loss):
        self.loss = loss


def test_cli_reports_training_failure_in_one_line(tmp_path):
    bad = tmp_path / "huge.npy"
    np.save(bad, np.full((100, 2), 3e38, dtype=np.float32))
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[data]\nname = "npy"\npath = "{bad}"\n[train]\nsteps = 10\nlog_every = 5\n')
    result = CliRunner().invoke(cli, ["train", str(cfg), "--out", str(tmp_path / "run")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: loss became") and result.output.count("\n") == 1


def test_ema_weights_are_used_for_sampling():
    pipe = fmcore.Pipeline.from_config(_config(ema_decay=0.9))
    pipe.train()
    assert pipe.sampling_network is not pipe.network
    trained = dict(pipe.network.named_parameters())
    averaged = dict(pipe.sampling_network.named_parameters())
    assert any(not torch.equal(trained[k], averaged[k]) for k in trained)
    no_ema = fmcore.Pipeline.from_config(_config(ema_decay=0.0))
    no_ema.train()
    assert no_ema.sampling_network is no_ema.network


def test_warmup_and_metrics(tmp_path):
    pipe = fmcore.Pipeline.from_config(_config(warmup_steps=10, lr=1e-2, checkpoint_every=0))
    pipe.train(tmp_path / "run")
    records = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [5, 10, 15, 20]
    assert records[0]["lr"] == pytest.approx(1e-2 * 6 / 10)  # after 5 steps the schedule is at step 5
    assert records[-1]["lr"] == pytest.approx(1e-2)
    assert [p.name for p in (tmp_path / "run" / "checkpoints").iterdir()] == ["step-00000020"]


def test_progress_bar_shows_loss_rate_and_eta(tmp_path, capsys):
    fmcore.Pipeline.from_config(_config()).train(progress=True)
    err = capsys.readouterr().err
    assert "20/20" in err and "step/s" in err and "loss=" in err and "<" in err


def test_training_is_deterministic():
    a = fmcore.Pipeline.from_config(_config())
    b = fmcore.Pipeline.from_config(_config())
    a.train()
    b.train()
    assert all(torch.equal(x, y) for x, y in zip(a.network.parameters(), b.network.parameters()))


def test_cosine_schedule_after_warmup(tmp_path):
    from fmcore.config.train import lr_factor

    settings = fmcore.load_config(_config(steps=100, warmup_steps=10, lr_schedule="cosine")).train
    assert lr_factor(settings, 0) == pytest.approx(0.1 * 0.5 * (1 + np.cos(0.0)))
    assert lr_factor(settings, 50) == pytest.approx(0.5)
    assert lr_factor(settings, 100) == pytest.approx(0.0)
    pipe = fmcore.Pipeline.from_config(_config(steps=20, lr=1e-2, lr_schedule="cosine", checkpoint_every=0))
    pipe.train(tmp_path / "run")
    records = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert records[1]["lr"] == pytest.approx(1e-2 * 0.5 * (1 + np.cos(np.pi * 10 / 20)))
    assert records[-1]["lr"] == pytest.approx(0.0, abs=1e-12)
