"""Resuming a run continues it exactly; Ctrl-C saves the current step and says how to resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
import torch
from click.testing import CliRunner

import fmcore
import fmcore.cli.run_cmds as run_cmds
from fmcore import RunError
from fmcore.cli import cli
from fmcore.runs import checkpoint as ckpt
from fmcore.training import TrainingInterrupted
from fmcore.training.trainer import Trainer

N = 6


def _config(**train):
    settings = {"steps": N, "batch_size": 32, "log_every": 2, "checkpoint_every": 0, "warmup_steps": 8,
                "ema_decay": 0.9, **train}
    return {"data": {"name": "moons", "n": 256}, "network": {"name": "mlp", "width": 16, "depth": 1},
            "train": settings}


def _reference(tmp_path, **train):
    """The uninterrupted run to 2N steps."""
    fmcore.Pipeline.from_config(_config(**{**train, "steps": 2 * N})).train(tmp_path / "reference")
    return tmp_path / "reference"


def _resume(run):
    config = fmcore.load_config(run / "config.toml", [f"train.steps={2 * N}"])
    fmcore.Pipeline.from_config(config).train(run, resume=True)
    return run


def _assert_same_training(run, reference_run):
    """Both runs' last checkpoints hold identical weights, EMA, optimizer and schedule states, and
    their metrics identical losses and learning rates."""
    a, b = (ckpt.latest(r / "checkpoints") for r in (run, reference_run))
    assert a.name == b.name == f"step-{2 * N:08d}"
    for ema in (False, True):
        mine, theirs = ckpt.load_weights(a, prefer_ema=ema), ckpt.load_weights(b, prefer_ema=ema)
        assert mine.keys() == theirs.keys() and all(torch.equal(mine[k], theirs[k]) for k in theirs)
    a, b = ckpt.load_state(a), ckpt.load_state(b)
    assert a.schedule == b.schedule and a.optimizer["param_groups"] == b.optimizer["param_groups"]
    assert all(torch.equal(torch.as_tensor(a.optimizer["state"][i][k]), torch.as_tensor(b.optimizer["state"][i][k]))
               for i in b.optimizer["state"] for k in b.optimizer["state"][i])
    records, expected = (_records(r) for r in (run, reference_run))
    assert [(r["step"], r["loss"], r["lr"]) for r in records] == [(r["step"], r["loss"], r["lr"]) for r in expected]


def _records(run):
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


class _Interrupting:
    """The pipeline's objective, raising KeyboardInterrupt at call number ``at``."""

    def __init__(self, objective, at):
        self.objective, self.at, self.calls = objective, at, 0

    def loss(self, field, batch):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return self.objective.loss(field, batch)


@pytest.mark.parametrize("train", [{}, {"optimizer": "sgd", "accumulate": 2, "checkpoint_every": 4}])
def test_n_steps_then_resume_to_2n_equals_2n_steps(tmp_path, train):
    fmcore.Pipeline.from_config(_config(**train)).train(tmp_path / "run")
    _assert_same_training(_resume(tmp_path / "run"), _reference(tmp_path, **train))
    assert fmcore.load_config(tmp_path / "run" / "config.toml").train.steps == 2 * N


def test_cli_resume_extends_steps_and_refuses_other_changes(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(_config()))
    run = str(tmp_path / "run")
    runner = CliRunner()
    assert runner.invoke(cli, ["train", str(config), "--out", run]).exit_code == 0
    refusals = {
        ("--resume", run): f"'{run}' has trained {N} of its {N} steps; to go on, raise them: --set train.steps=N",
        ("--resume", run, "--set", "train.lr=0.1"): "--set train.lr=0.1: a resumed run can change only train.steps",
        ("--resume", run, str(config)): "--resume RUN takes no CONFIG_FILE and no --out",
        (): "give the CONFIG_FILE to train, or --resume RUN",
    }
    for args, message in refusals.items():
        result = runner.invoke(cli, ["train", *args])
        assert result.exit_code == 1 and result.output.startswith(f"Error: {message}"), result.output
        assert result.output.count("\n") == 1
    result = runner.invoke(cli, ["train", "--resume", run, "--set", f"train.steps={2 * N}"])
    assert result.exit_code == 0, result.output
    assert f"trained {2 * N} steps" in result.output
    _assert_same_training(tmp_path / "run", _reference(tmp_path))


def test_resume_refuses_a_different_config(tmp_path):
    fmcore.Pipeline.from_config(_config()).train(tmp_path / "run")
    other = fmcore.Pipeline.from_config(_config(lr=0.5, steps=2 * N))
    with pytest.raises(RunError, match=r"the config differs from the run's at \$\.train\.lr; a resumed run can "
                                       r"change only train\.steps"):
        other.train(tmp_path / "run", resume=True)


def test_ctrl_c_saves_the_current_step_and_exits_130_then_resumes_exactly(tmp_path, monkeypatch):
    def interrupted_pipeline(config, device=None):
        pipe = fmcore.Pipeline(config, device=device)
        pipe.objective = _Interrupting(pipe.objective, at=N + 2)  # during step N + 2
        return pipe

    config = tmp_path / "c.json"
    config.write_text(json.dumps(_config(steps=2 * N, checkpoint_every=4, log_every=1)))  # records for every step
    run = tmp_path / "run"
    monkeypatch.setattr(run_cmds, "Pipeline", interrupted_pipeline)
    result = CliRunner().invoke(cli, ["train", str(config), "--out", str(run)])
    assert result.exit_code == 130
    saved = run / "checkpoints" / f"step-{N + 1:08d}"
    assert result.output == (f"interrupted at step {N + 1}; saved '{saved}'; continue with: "
                             f"fmcore train --resume {run}\n")
    assert [p.name for p in ckpt.list_checkpoints(run / "checkpoints")] == ["step-00000004", saved.name]
    assert [r["step"] for r in _records(run)] == list(range(1, N + 2))
    monkeypatch.undo()
    assert CliRunner().invoke(cli, ["train", "--resume", str(run)]).exit_code == 0
    _assert_same_training(run, _reference(tmp_path, checkpoint_every=4, log_every=1))


def test_ctrl_c_in_python_raises_training_interrupted(tmp_path):
    pipe = fmcore.Pipeline.from_config(_config())
    pipe.objective = _Interrupting(pipe.objective, at=4)
    with pytest.raises(TrainingInterrupted, match="interrupted at step 3; saved '.*step-00000003'"):
        pipe.train(tmp_path / "run")
    pipe = fmcore.Pipeline.from_config(_config())
    pipe.objective = _Interrupting(pipe.objective, at=2)
    with pytest.raises(TrainingInterrupted, match=r"interrupted at step 1; nothing was saved \(no run directory\)"):
        pipe.train()


def test_ctrl_c_during_the_update_waits_for_the_step_to_complete(tmp_path, monkeypatch):
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")
    update = Trainer.update

    def update_then_signal(self):  # SIGINT arrives inside the update of step 3
        if self.step == 2:
            signal.raise_signal(signal.SIGINT)
        update(self)

    monkeypatch.setattr(Trainer, "update", update_then_signal)
    with pytest.raises(TrainingInterrupted, match="interrupted at step 3"):
        fmcore.Pipeline.from_config(_config(steps=2 * N, log_every=1)).train(tmp_path / "run")
    monkeypatch.undo()
    _assert_same_training(_resume(tmp_path / "run"), _reference(tmp_path, log_every=1))


def test_resume_drops_metrics_after_the_checkpoint_and_a_torn_line(tmp_path):
    run = tmp_path / "run"
    fmcore.Pipeline.from_config(_config(steps=2 * N, checkpoint_every=4)).train(run)
    shutil.rmtree(ckpt.latest(run / "checkpoints"))  # as if it crashed after logging step 12
    with (run / "metrics.jsonl").open("a") as f:
        f.write('{"step": 13, "lo')
    _assert_same_training(_resume(run), _reference(tmp_path, checkpoint_every=4))


def test_resume_without_a_checkpoint_starts_over(tmp_path):
    pipe = fmcore.Pipeline.from_config(_config(steps=2 * N))
    pipe.objective = _Interrupting(pipe.objective, at=1)
    with pytest.raises(TrainingInterrupted):
        pipe.train(tmp_path / "run")
    shutil.rmtree(tmp_path / "run" / "checkpoints" / "step-00000000")
    _assert_same_training(_resume(tmp_path / "run"), _reference(tmp_path))


def test_sigint_to_a_training_process(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(_config(steps=100_000, log_every=1, warmup_steps=0)))
    run = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "fmcore", "train", str(config), "--out", str(run)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not ((run / "metrics.jsonl").is_file() and (run / "metrics.jsonl").read_text()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.startswith("interrupted at step ") and err.count("\n") == 1 and "Traceback" not in err
    step = int(err.split()[3].rstrip(";"))
    assert ckpt.step_of(ckpt.latest(run / "checkpoints")) == step > 0
    assert f"continue with: fmcore train --resume {run}" in err
