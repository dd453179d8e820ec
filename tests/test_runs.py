"""Run directories and checkpoints: atomic, pickle-free, complete."""

from __future__ import annotations

import json
import os

import pytest
import torch

from fmcore import RunError
from fmcore.runs import RunDirectory, atomic
from fmcore.runs import checkpoint as ckpt


def _state(step, net):
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    net(torch.randn(4, 3)).sum().backward()
    opt.step()
    return ckpt.TrainerState(step, opt.state_dict(), torch.get_rng_state(),
                             {k: v + 1 for k, v in net.state_dict().items()})


def test_checkpoint_round_trip(tmp_path):
    net = torch.nn.Linear(3, 2)
    state = _state(7, net)
    where = ckpt.save(tmp_path, net.state_dict(), state, keep=3)
    assert where.name == "step-00000007"
    assert set(p.name for p in where.iterdir()) == {"weights.safetensors", "ema.safetensors",
                                                     "trainer.safetensors", "state.json"}
    weights = ckpt.load_weights(where, prefer_ema=False)
    assert all(torch.equal(weights[k], v) for k, v in net.state_dict().items())
    ema = ckpt.load_weights(where)
    assert all(torch.equal(ema[k], v + 1) for k, v in net.state_dict().items())
    loaded = ckpt.load_state(where)
    assert loaded.step == 7 and torch.equal(loaded.rng, state.rng)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    opt.load_state_dict(loaded.optimizer)
    for a, b in zip(opt.state_dict()["state"].values(), state.optimizer["state"].values()):
        assert all(torch.equal(torch.as_tensor(a[k]), torch.as_tensor(b[k])) for k in a)


def test_keeps_only_recent_checkpoints(tmp_path):
    net = torch.nn.Linear(3, 2)
    for step in (1, 2, 3, 4):
        ckpt.save(tmp_path, net.state_dict(), _state(step, net), keep=2)
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["step-00000003", "step-00000004"]
    assert ckpt.latest(tmp_path).name == "step-00000004"


def test_interrupted_write_leaves_previous_checkpoint(tmp_path, monkeypatch):
    net = torch.nn.Linear(3, 2)
    ckpt.save(tmp_path, net.state_dict(), _state(1, net), keep=5)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ckpt, "save_file", crash)
    with pytest.raises(KeyboardInterrupt):
        ckpt.save(tmp_path, net.state_dict(), _state(2, net), keep=5)
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["step-00000001"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]
    assert ckpt.load_weights(ckpt.latest(tmp_path))


def test_half_written_temporary_is_ignored(tmp_path):
    net = torch.nn.Linear(3, 2)
    ckpt.save(tmp_path, net.state_dict(), _state(1, net), keep=5)
    (tmp_path / ".tmp-step-00000002-abc").mkdir()  # what a killed process leaves behind
    assert ckpt.latest(tmp_path).name == "step-00000001"


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    file = tmp_path / "f.txt"
    atomic.write_text(file, "old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError):
        atomic.write_text(file, "new")
    assert file.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    net = torch.nn.Linear(3, 2)
    where = ckpt.save(tmp_path, net.state_dict(), _state(1, net), keep=5)
    (where / "ema.safetensors").write_bytes(b"garbage")
    with pytest.raises(RunError, match="unreadable"):
        ckpt.load_weights(where)
    with pytest.raises(RunError, match="no checkpoint"):
        ckpt.latest(tmp_path / "empty")


def test_run_directory(tmp_path):
    run = RunDirectory.create(tmp_path / "r", "seed = 0\n", {"event_shape": [2]})
    run.append_metrics({"step": 1, "loss": 0.5})
    run.append_metrics({"step": 2, "loss": 0.25})
    assert [json.loads(x)["step"] for x in run.metrics_file.read_text().splitlines()] == [1, 2]
    assert RunDirectory.open(tmp_path / "r").info() == {"event_shape": [2]}
    with pytest.raises(RunError, match="already holds a run"):
        RunDirectory.create(tmp_path / "r", "seed = 1\n", {})
    with pytest.raises(RunError, match="not a run directory"):
        RunDirectory.open(tmp_path)


def test_atomic_files_get_the_permissions_open_would_give(tmp_path):
    mask = os.umask(0o022)
    try:
        atomic._umask.cache_clear()
        atomic.write_text(tmp_path / "a.txt", "x")
        with atomic.directory(tmp_path / "d") as d:
            (d / "f").write_text("y")
        assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
        assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755
    finally:
        os.umask(mask)
        atomic._umask.cache_clear()
