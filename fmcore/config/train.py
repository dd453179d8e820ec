"""The ``[train]`` table: settings of the core training loop."""

from __future__ import annotations

import math
from typing import Literal

import attrs
from attrs.validators import ge, gt, le, lt

from fmcore.component import setting


def _divides_batch(settings: TrainSettings | None, field: attrs.Attribute, value: int) -> None:
    """A config check: the micro-batches of one step have equal sizes."""
    if settings is not None and settings.batch_size > 0 and settings.batch_size % value:
        raise ValueError(f"'accumulate' must split 'batch_size' ({settings.batch_size}) into equal micro-batches")


@attrs.frozen
class TrainSettings:
    """Settings of the training loop: optimizer, warm-up and schedule, gradient accumulation and
    clipping, precision, EMA, checkpoints and logging."""

    steps: int = setting(2000, "optimizer steps", validator=gt(0))
    batch_size: int = setting(256, "samples per optimizer step, over all micro-batches and processes",
                              validator=gt(0))
    accumulate: int = setting(1, "micro-batches per optimizer step and process (gradient accumulation)",
                              validator=[gt(0), _divides_batch])
    optimizer: Literal["adamw", "adam", "sgd"] = setting("adamw", "torch.optim.AdamW, Adam or SGD")
    lr: float = setting(1e-3, "learning rate", validator=gt(0.0))
    weight_decay: float = setting(0.0, "weight decay (decoupled for adamw, L2 for adam and sgd)",
                                  validator=ge(0.0))
    momentum: float = setting(0.9, "momentum of sgd (the others ignore it)", validator=[ge(0.0), lt(1.0)])
    warmup_steps: int = setting(0, "linear learning-rate warm-up steps", validator=ge(0))
    lr_schedule: Literal["constant", "cosine"] = setting(
        "constant", "after warm-up: keep lr, or decay it to 0 along a half cosine by the last step"
    )
    grad_clip: float = setting(1.0, "clip the gradient norm to this (0: no clipping)", validator=ge(0.0))
    label_dropout: float = setting(
        0.1, "labelled data: probability of replacing a label by the 'no label' class, so that the "
             "model also learns p(x) and classifier-free guidance works", validator=[ge(0.0), le(1.0)],
    )
    ema_decay: float = setting(
        0.999, "decay of the weights' exponential moving average, used for sampling (0: off)",
        validator=[ge(0.0), lt(1.0)],
    )
    log_every: int = setting(100, "steps between metric records", validator=gt(0))
    checkpoint_every: int = setting(1000, "steps between checkpoints (0: only at the end)", validator=ge(0))
    keep_checkpoints: int = setting(3, "how many recent checkpoints to keep", validator=gt(0))
    device: Literal["auto", "cpu", "cuda"] = setting("auto", "where to train ('auto': CUDA if present)")
    precision: Literal["auto", "fp32", "bf16"] = setting(
        "auto", "bf16: forward and loss under bf16 autocast; 'auto': bf16 on CUDA, fp32 on CPU"
    )
    deterministic: bool = setting(False, "torch.use_deterministic_algorithms(True) while training")
    tensorboard: bool = setting(False, "also write scalars to RUN/tensorboard/ (needs tensorboard)")


def lr_factor(settings: TrainSettings, step: int) -> float:
    """The learning-rate multiplier after ``step`` optimizer steps: ``min(1, (k+1)/warmup)`` times,
    for ``cosine``, ``½(1 + cos(π k/steps))``."""
    factor = min(1.0, (step + 1) / settings.warmup_steps) if settings.warmup_steps else 1.0
    if settings.lr_schedule == "cosine":
        factor *= 0.5 * (1 + math.cos(math.pi * min(step, settings.steps) / settings.steps))
    return factor
