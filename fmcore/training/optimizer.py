"""The optimizer and learning-rate schedule that ``[train]`` selects."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import torch
from torch import nn

from fmcore.config.train import TrainSettings, lr_factor

_OPTIMIZERS: dict[str, Callable[[Iterable[nn.Parameter], TrainSettings], torch.optim.Optimizer]] = {
    "adamw": lambda params, s: torch.optim.AdamW(params, lr=s.lr, weight_decay=s.weight_decay),
    "adam": lambda params, s: torch.optim.Adam(params, lr=s.lr, weight_decay=s.weight_decay),
    "sgd": lambda params, s: torch.optim.SGD(params, lr=s.lr, momentum=s.momentum, weight_decay=s.weight_decay),
}


def build_optimizer(settings: TrainSettings, params: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
    """``[train].optimizer`` over ``params`` with its ``lr``, ``weight_decay`` (and ``momentum``)."""
    return _OPTIMIZERS[settings.optimizer](params, settings)


def build_schedule(settings: TrainSettings, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LambdaLR:
    """``lr_k = lr · lr_factor(k)``: warm-up, then constant or cosine (:func:`lr_factor`)."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, partial(lr_factor, settings))
