"""Data-parallel training: torchrun with 2 CPU processes (gloo) equals 1 process accumulating the same
2 micro-batches, because micro-batch m draws its noise and times from (seed, step, m) wherever it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

import fmcore
from fmcore import distributed
from fmcore.runs import checkpoint as ckpt


def _config(**train):
    settings = {"steps": 4, "batch_size": 32, "log_every": 2, "checkpoint_every": 0, "ema_decay": 0.9,
                "device": "cpu", **train}
    return {"data": {"name": "moons", "n": 256}, "network": {"name": "mlp", "width": 16, "depth": 1},
            "train": settings}


def test_two_processes_equal_one_process_with_the_same_global_batch(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(_config()))
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["OMP_NUM_THREADS"] = "1"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "fmcore", "train", str(config), "--out", str(tmp_path / "ddp"), "--no-progress"]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("trained 4 steps") == 1  # rank 0 alone reports

    fmcore.Pipeline.from_config(_config(accumulate=2)).train(tmp_path / "one")
    both = [ckpt.latest(tmp_path / run / "checkpoints") for run in ("ddp", "one")]
    start = fmcore.Pipeline.from_config(_config()).network.state_dict()
    for ema in (False, True):
        ddp, one = (ckpt.load_weights(c, prefer_ema=ema) for c in both)
        assert any(not torch.equal(one[key], start[key]) for key in start)  # it trained
        for key in one:
            torch.testing.assert_close(ddp[key], one[key], rtol=1e-5, atol=1e-6)
    records = [[json.loads(x) for x in (tmp_path / run / "metrics.jsonl").read_text().splitlines()]
               for run in ("ddp", "one")]
    assert [r["step"] for r in records[0]] == [r["step"] for r in records[1]] == [2, 4]
    assert [r["loss"] for r in records[0]] == pytest.approx([r["loss"] for r in records[1]], rel=1e-5)


def test_a_single_process_joins_no_group(monkeypatch):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert distributed.init_from_environment("cpu") == distributed.Ranks(0, 1, 0)
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(fmcore.FmcoreError, match="WORLD_SIZE is set but RANK, LOCAL_RANK, MASTER_ADDR, "
                                                 "MASTER_PORT is not: start distributed training with torchrun"):
        distributed.init_from_environment("cpu")


def test_batch_must_split_over_processes_and_micro_batches(monkeypatch):
    monkeypatch.setattr("fmcore.training.checks.ranks", lambda: distributed.Ranks(0, 3, 0))
    pipe = fmcore.Pipeline.from_config(_config(accumulate=2))
    with pytest.raises(fmcore.ConfigError, match=r"\$\.train\.batch_size: 32 samples do not split into 3 "
                                                 r"processes x 2 micro-batches"):
        pipe.train()
