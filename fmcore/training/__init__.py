"""The training engine: optimizer and schedule, gradient accumulation, bf16 autocast, EMA, exact
resume, Ctrl-C, metrics and checkpoints, and data-parallel training over processes."""

from fmcore.training.checks import check_trainable
from fmcore.training.interrupts import TrainingInterrupted
from fmcore.training.loop import TrainResult, train
from fmcore.training.resume import open_resumed_run, resumed_config

__all__ = ["TrainResult", "TrainingInterrupted", "check_trainable", "open_resumed_run", "resumed_config", "train"]
