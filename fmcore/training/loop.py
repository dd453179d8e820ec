"""The training loop: steps, metrics, checkpoints, and how it stops (the last step, a non-finite
loss, Ctrl-C).

Per step the loop reads nothing back from the device: the loss is summed there and read (``.item()``,
an all-reduce over processes) only when a metric record or a checkpoint is due.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from tqdm.auto import tqdm

from fmcore import distributed
from fmcore.errors import TrainingError
from fmcore.runs import RunDirectory
from fmcore.runs import checkpoint as ckpt
from fmcore.training.interrupts import Interrupts, TrainingInterrupted
from fmcore.training.metrics import MetricsLog
from fmcore.training.precision import deterministic
from fmcore.training.trainer import Trainer

if TYPE_CHECKING:
    from fmcore.pipeline import Pipeline


@attrs.frozen
class TrainResult:
    """What a finished training run reports."""

    steps: int
    final_loss: float
    seconds: float
    run_dir: str | None


def train(pipeline: Pipeline, run: RunDirectory | None, progress: bool,
          checkpoint: Path | None = None) -> TrainResult:
    """Train ``pipeline``'s network up to ``[train].steps`` steps, from ``checkpoint`` if given.

    With several processes (:mod:`fmcore.distributed`) every one runs this; rank 0 alone writes to
    ``run`` and shows progress. Raises :class:`TrainingError` on a non-finite loss or parameters
    (nothing non-finite is saved) and :class:`TrainingInterrupted` on Ctrl-C, after saving a
    checkpoint at the last completed step.
    """
    settings = pipeline.config.train
    place = distributed.ranks()
    trainer = Trainer(pipeline, place, checkpoint)
    report = _Report(trainer, run if place.main else None, progress and place.main)
    saved_at = trainer.step if checkpoint is not None else None
    vote = distributed.StopVote(place)
    pipeline.network.train()
    stop = False
    try:
        with deterministic(settings.deterministic), Interrupts(immediate=place.world_size == 1) as interrupts:
            try:
                while trainer.step < settings.steps and not stop:
                    trainer.accumulate()
                    with interrupts.whole():
                        trainer.update()
                        saved_at = _after_step(trainer, run, report, saved_at)
                    stop = vote(interrupts.requested)
            except KeyboardInterrupt:
                if place.world_size > 1:  # raised on this process alone: the others cannot follow
                    raise
                stop = True
            vote.close()
            if stop and trainer.step < settings.steps:
                interrupts.hold()
                raise TrainingInterrupted(_stop(trainer, run, report, saved_at))
    finally:
        report.close()
        pipeline.network.eval()
        if trainer.ema is not None:
            pipeline.sampling_network = trainer.ema.network
    return TrainResult(trainer.step, report.last_loss, report.seconds(), str(run.root) if run else None)


def _after_step(trainer: Trainer, run: RunDirectory | None, report: _Report, saved_at: int | None) -> int | None:
    """Record metrics and save a checkpoint when due; the step of the latest checkpoint."""
    settings = trainer.settings
    done = trainer.step
    report.bar.update(1)
    last = done == settings.steps
    checkpoint_due = run is not None and (
        last or (settings.checkpoint_every > 0 and done % settings.checkpoint_every == 0)
    )
    if done % settings.log_every == 0 or last or checkpoint_due:
        report.record(trainer, run)
    if checkpoint_due:
        assert run is not None
        _save(trainer, run)
        return done
    return saved_at


def _save(trainer: Trainer, run: RunDirectory) -> None:
    """Rank 0 writes a checkpoint of the current step (atomically); the others wait for it."""
    if not trainer.finite():
        raise TrainingError(f"parameters became non-finite by step {trainer.step}{_last_good(run)}; "
                            "try a lower [train].lr or grad_clip")
    if trainer.place.main:
        ckpt.save(run.checkpoints, trainer.network.state_dict(), trainer.state(),
                  trainer.settings.keep_checkpoints)
    distributed.barrier(trainer.place)


def _stop(trainer: Trainer, run: RunDirectory | None, report: _Report, saved_at: int | None) -> str:
    """After Ctrl-C: check the losses since the last record, save the current step, say how to go on."""
    if trainer.loss_count:
        report.check(trainer, run)
    step = trainer.step
    if run is None:
        return f"interrupted at step {step}; nothing was saved (no run directory)"
    if saved_at != step:
        _save(trainer, run)
    where = ckpt.checkpoint_dir(run.checkpoints, step)
    return f"interrupted at step {step}; saved '{where}'; continue with: fmcore train --resume {run.root}"


def _last_good(run: RunDirectory | None) -> str:
    kept = ckpt.list_checkpoints(run.checkpoints) if run is not None else []
    return f"; the last good checkpoint is '{kept[-1]}'" if kept else ""


class _Report:
    """Progress bar (loss, steps/s, ETA) and metric records of one training session."""

    def __init__(self, trainer: Trainer, run: RunDirectory | None, progress: bool):
        settings = trainer.settings
        self.metrics = MetricsLog(run, trainer.step, settings.tensorboard) if run is not None else None
        self.bar = tqdm(total=settings.steps, initial=trainer.step, disable=not progress, unit="step",
                        dynamic_ncols=True)
        self.first_step = trainer.step
        self.start = time.perf_counter()
        self.last_loss = math.nan

    def seconds(self) -> float:
        return time.perf_counter() - self.start

    def check(self, trainer: Trainer, run: RunDirectory | None) -> float:
        """The mean loss since the last read (all processes); stop if it is not finite."""
        loss, steps = trainer.read_loss()
        if not math.isfinite(loss):
            raise TrainingError(f"loss became {loss} by step {trainer.step} (mean over the last {steps} steps)"
                                f"{_last_good(run)}; try a lower [train].lr or grad_clip")
        return loss

    def record(self, trainer: Trainer, run: RunDirectory | None) -> None:
        self.last_loss = self.check(trainer, run)
        elapsed = self.seconds()
        record = {"step": trainer.step, "loss": self.last_loss, "lr": trainer.schedule.get_last_lr()[0],
                  "elapsed_s": round(elapsed, 3),
                  "steps_per_s": round((trainer.step - self.first_step) / elapsed, 2)}
        if self.metrics is not None:
            self.metrics.write(record)
        self.bar.set_postfix(loss=f"{self.last_loss:.4f}")

    def close(self) -> None:
        self.bar.close()
        if self.metrics is not None:
            self.metrics.close()
