"""The ``[train]`` table: settings of the core training loop."""

from __future__ import annotations

import math
from typing import Literal

import attrs
from attrs.validators import ge, gt, lt

from fmcore.component import setting


@attrs.frozen
class TrainSettings:
    """Settings of the training loop (AdamW, warm-up and schedule, gradient clipping, EMA)."""

    steps: int = setting(2000, "optimizer steps", validator=gt(0))
    batch_size: int = setting(256, "samples per step", validator=gt(0))
    lr: float = setting(1e-3, "AdamW learning rate", validator=gt(0.0))
    weight_decay: float = setting(0.0, "AdamW weight decay", validator=ge(0.0))
    warmup_steps: int = setting(0, "linear learning-rate warm-up steps", validator=ge(0))
    lr_schedule: Literal["constant", "cosine"] = setting(
        "constant", "after warm-up: keep lr, or decay it to 0 along a half cosine by the last step"
    )
    grad_clip: float = setting(1.0, "clip the gradient norm to this (0: no clipping)", validator=ge(0.0))
    ema_decay: float = setting(
        0.999, "decay of the weights' exponential moving average, used for sampling (0: off)",
        validator=[ge(0.0), lt(1.0)],
    )
    log_every: int = setting(100, "steps between metric records", validator=gt(0))
    checkpoint_every: int = setting(1000, "steps between checkpoints (0: only at the end)", validator=ge(0))
    keep_checkpoints: int = setting(3, "how many recent checkpoints to keep", validator=gt(0))
    device: Literal["auto", "cpu", "cuda"] = setting("auto", "where to train ('auto': CUDA if present)")


def lr_factor(settings: TrainSettings, step: int) -> float:
    """The learning-rate multiplier after ``step`` optimizer steps: ``min(1, (k+1)/warmup)`` times,
    for ``cosine``, ``½(1 + cos(π k/steps))``."""
    factor = min(1.0, (step + 1) / settings.warmup_steps) if settings.warmup_steps else 1.0
    if settings.lr_schedule == "cosine":
        factor *= 0.5 * (1 + math.cos(math.pi * min(step, settings.steps) / settings.steps))
    return factor
