"""The training engine: optimizers, gradient accumulation, bf16 autocast, determinism, TensorBoard,
non-finite losses and interrupted checkpoint writes."""

from __future__ import annotations

import json
import sys

import pytest
import torch

import fmcore
from fmcore import ConfigError, TrainingError
from fmcore.runs import atomic
from fmcore.runs import checkpoint as ckpt
from fmcore.training.optimizer import build_optimizer


def _config(**train):
    return {"data": {"name": "moons", "n": 512}, "network": {"name": "mlp", "width": 16, "depth": 1},
            "train": {"steps": 6, "batch_size": 64, "log_every": 2, "checkpoint_every": 0, **train}}


def _params(pipe):
    return [p.detach().clone() for p in pipe.network.parameters()]


class _Wrapped:
    """An objective that calls ``loss`` (or the pipeline's own) and lets a test look at each call."""

    def __init__(self, loss, look=None):
        self._loss, self._look = loss, look

    def loss(self, field, batch):
        if self._look is not None:
            self._look(field, batch)
        return self._loss(field, batch)


def _regression(field, batch):
    """A loss without randomness: ‖net(x, ½) − x‖², so micro-batches can be compared with the batch."""
    t = torch.full((batch.x.shape[0],), 0.5)
    return (field.network(batch.x, t) - batch.x).square().mean()


@pytest.mark.parametrize("name, cls, extra", [
    ("adamw", torch.optim.AdamW, {}), ("adam", torch.optim.Adam, {}),
    ("sgd", torch.optim.SGD, {"momentum": 0.5}),
])
def test_optimizer_setting_selects_the_torch_class(name, cls, extra):
    settings = fmcore.load_config(_config(optimizer=name, lr=0.01, weight_decay=0.1, momentum=0.5)).train
    optimizer = build_optimizer(settings, torch.nn.Linear(2, 2).parameters())
    assert type(optimizer) is cls
    group = optimizer.param_groups[0]
    assert group["lr"] == 0.01 and group["weight_decay"] == 0.1
    assert all(group[k] == v for k, v in extra.items())


def test_bad_optimizer_and_accumulation_are_config_errors():
    with pytest.raises(ConfigError) as info:
        fmcore.load_config(_config(optimizer="lbfgs", momentum=1.0))
    assert "$.train.optimizer" in str(info.value) and "$.train.momentum" in str(info.value)
    with pytest.raises(ConfigError, match=r"\$\.train\.accumulate: invalid value 3: 'accumulate' must split "
                                          r"'batch_size' \(64\)"):
        fmcore.load_config(_config(accumulate=3))


@pytest.mark.parametrize("grad_clip", [0.0, 0.05])
def test_accumulated_micro_batches_equal_one_step_on_the_whole_batch(grad_clip):
    runs = {}
    for k in (1, 4):
        pipe = fmcore.Pipeline.from_config(_config(optimizer="sgd", lr=0.1, grad_clip=grad_clip, accumulate=k))
        pipe.objective = _Wrapped(_regression)
        pipe.train()
        runs[k] = _params(pipe)
    start = _params(fmcore.Pipeline.from_config(_config()))
    assert not torch.equal(runs[1][0], start[0])  # it trained
    for whole, accumulated in zip(runs[1], runs[4]):
        torch.testing.assert_close(accumulated, whole, rtol=1e-5, atol=1e-6)


def test_accumulation_sees_micro_batches_of_the_batch():
    sizes = []
    pipe = fmcore.Pipeline.from_config(_config(accumulate=4, steps=2))
    pipe.objective = _Wrapped(pipe.objective.loss, lambda field, batch: sizes.append(batch.x.shape[0]))
    pipe.train()
    assert sizes == [16] * 8


def test_bf16_autocast_on_cpu_trains_with_fp32_parameters():
    seen, losses = [], []
    pipe = fmcore.Pipeline.from_config(_config(precision="bf16", steps=40, lr=1e-2, log_every=20))
    loss = pipe.objective.loss

    def watched(field, batch):
        out = field.network(batch.x, torch.rand(len(batch.x)))
        seen.append((torch.is_autocast_enabled("cpu"), out.dtype))
        losses.append(loss(field, batch).detach().float())
        return loss(field, batch)

    pipe.objective = _Wrapped(watched)
    pipe.train()
    assert set(seen) == {(True, torch.bfloat16)}
    assert all(p.dtype == torch.float32 for p in pipe.network.parameters())
    values = torch.stack(losses)
    assert torch.isfinite(values).all() and values[-10:].mean() < values[:10].mean()


def test_fp32_is_the_cpu_default_and_bf16_changes_the_numbers():
    trained = {}
    for precision in ("auto", "fp32", "bf16"):
        pipe = fmcore.Pipeline.from_config(_config(precision=precision))
        pipe.train()
        trained[precision] = _params(pipe)
    assert all(torch.equal(a, b) for a, b in zip(trained["auto"], trained["fp32"]))
    assert not all(torch.equal(a, b) for a, b in zip(trained["fp32"], trained["bf16"]))


def test_deterministic_mode_is_on_while_training_only():
    seen = []
    pipe = fmcore.Pipeline.from_config(_config(deterministic=True, steps=2))
    pipe.objective = _Wrapped(pipe.objective.loss,
                              lambda f, b: seen.append(torch.are_deterministic_algorithms_enabled()))
    pipe.train()
    assert seen == [True, True] and not torch.are_deterministic_algorithms_enabled()


def test_tensorboard_scalars(tmp_path):
    pytest.importorskip("torch.utils.tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    fmcore.Pipeline.from_config(_config(tensorboard=True)).train(tmp_path / "run")
    events = EventAccumulator(str(tmp_path / "run" / "tensorboard"))
    events.Reload()
    assert [e.step for e in events.Scalars("train/loss")] == [2, 4, 6]
    records = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [e.value for e in events.Scalars("train/loss")] == pytest.approx([r["loss"] for r in records])


def test_tensorboard_missing_is_a_config_error_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # import fails
    with pytest.raises(ConfigError, match=r"\$\.train\.tensorboard: TensorBoard is not installed"):
        fmcore.Pipeline.from_config(_config(tensorboard=True)).train(tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_non_finite_loss_names_step_and_last_good_checkpoint_and_saves_nothing_after(tmp_path):
    calls = []
    pipe = fmcore.Pipeline.from_config(_config(steps=20, log_every=3, checkpoint_every=4))
    loss = pipe.objective.loss

    def poisoned(field, batch):  # the 10th step's loss is NaN; the next record is at step 12
        calls.append(1)
        return loss(field, batch) * (float("nan") if len(calls) == 10 else 1.0)

    pipe.objective = _Wrapped(poisoned)
    with pytest.raises(TrainingError) as info:
        pipe.train(tmp_path / "run")
    message = str(info.value)
    assert "loss became nan by step 12" in message and "step-00000008" in message
    assert [p.name for p in ckpt.list_checkpoints(tmp_path / "run" / "checkpoints")] == ["step-00000004",
                                                                                          "step-00000008"]
    kept = ckpt.load_weights(tmp_path / "run" / "checkpoints" / "step-00000008")
    assert all(torch.isfinite(v).all() for v in kept.values())


def test_non_finite_parameters_are_never_saved(tmp_path):
    pipe = fmcore.Pipeline.from_config(_config(steps=4, log_every=4, checkpoint_every=2, optimizer="sgd",
                                               grad_clip=0.0))
    loss = pipe.objective.loss
    calls = []

    def exploding(field, batch):  # a finite loss whose gradient is infinite at the 4th step
        calls.append(1)
        value = loss(field, batch)
        if len(calls) == 4:
            value.register_hook(lambda grad: grad * float("inf"))
        return value

    pipe.objective = _Wrapped(exploding)
    with pytest.raises(TrainingError, match="parameters became non-finite by step 4; the last good checkpoint "
                                            "is '.*step-00000002'"):
        pipe.train(tmp_path / "run")
    assert [p.name for p in ckpt.list_checkpoints(tmp_path / "run" / "checkpoints")] == ["step-00000002"]


def test_checkpoint_write_failing_midway_keeps_the_previous_one_latest(tmp_path, monkeypatch):
    pipe = fmcore.Pipeline.from_config(_config(steps=4, checkpoint_every=2))
    written = []
    real_save = ckpt.save_file

    def disk_full_on_the_fifth_file(tensors, path):  # step 2 writes 3 files; step 4 fails at its 2nd
        written.append(path)
        if len(written) == 5:
            raise OSError("No space left on device")
        real_save(tensors, path)

    monkeypatch.setattr(ckpt, "save_file", disk_full_on_the_fifth_file)
    with pytest.raises(OSError, match="No space left"):
        pipe.train(tmp_path / "run")
    root = tmp_path / "run" / "checkpoints"
    assert ckpt.latest(root).name == "step-00000002" and [p.name for p in root.iterdir()] == ["step-00000002"]
    assert ckpt.load_state(ckpt.latest(root)).step == 2 and ckpt.load_weights(ckpt.latest(root))


def test_replacing_a_checkpoint_that_fails_restores_the_old_one(tmp_path, monkeypatch):
    net = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    state = ckpt.TrainerState(3, opt.state_dict(), torch.get_rng_state())
    ckpt.save(tmp_path, net.state_dict(), state, keep=2)
    real_rename = atomic.os.rename

    def fail_publishing(src, dst):  # moving the old one aside works; publishing the new one fails
        if ".tmp-" in str(src):
            raise OSError("I/O error")
        real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", fail_publishing)
    with pytest.raises(OSError, match="I/O error"):
        ckpt.save(tmp_path, {k: v + 1 for k, v in net.state_dict().items()}, state, keep=2)
    assert [p.name for p in tmp_path.iterdir()] == ["step-00000003"]
    weights = ckpt.load_weights(ckpt.latest(tmp_path))
    assert all(torch.equal(weights[k], v) for k, v in net.state_dict().items())
