"""What training refuses before it writes anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fmcore.distributed import ranks
from fmcore.errors import ConfigError, ConfigIssue, TrainingError
from fmcore.training.metrics import check_tensorboard
from fmcore.training.precision import resolve_precision

if TYPE_CHECKING:
    from fmcore.pipeline import Pipeline


def check_trainable(pipeline: Pipeline) -> None:
    """Refuse, before anything is written: a network with nothing to train (an exact oracle), a
    batch that does not split into equal micro-batches over the processes, bf16 where the GPU lacks
    it, and TensorBoard logging without TensorBoard."""
    if not any(p.requires_grad for p in pipeline.network.parameters()):
        raise TrainingError(f"network '{pipeline.config.network.name}' has no trainable parameters; "
                            "there is nothing to train: sample from it directly")
    settings = pipeline.config.train
    world = ranks().world_size
    if settings.batch_size % (world * settings.accumulate):
        raise ConfigError([ConfigIssue("$.train.batch_size", (
            f"{settings.batch_size} samples do not split into {world} processes x "
            f"{settings.accumulate} micro-batches of equal size"))])
    resolve_precision(settings.precision, pipeline.device)
    if settings.tensorboard:
        check_tensorboard()
