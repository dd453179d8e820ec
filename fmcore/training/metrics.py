"""Where training metrics go: ``RUN/metrics.jsonl``, and TensorBoard when asked for."""

from __future__ import annotations

from typing import Any

from fmcore.errors import ConfigError, ConfigIssue
from fmcore.runs import RunDirectory


def check_tensorboard() -> None:
    """Refuse ``[train].tensorboard = true`` when TensorBoard cannot be imported."""
    try:
        import torch.utils.tensorboard  # noqa: F401
    except ImportError:
        raise ConfigError([ConfigIssue("$.train.tensorboard", "TensorBoard is not installed: "
                                       "pip install tensorboard, or set tensorboard = false")]) from None


class MetricsLog:
    """Appends one record per logged step to ``metrics.jsonl`` and, with ``tensorboard``, writes its
    numbers as scalars to ``RUN/tensorboard/``. Opened at ``step`` (a resumed run's checkpoint), it
    first drops the records after ``step``, which the run will log again."""

    def __init__(self, run: RunDirectory, step: int, tensorboard: bool):
        self.run = run
        run.truncate_metrics(step)
        self._writer = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(str(run.tensorboard), purge_step=step + 1 if step else None)

    def write(self, record: dict[str, Any]) -> None:
        self.run.append_metrics(record)
        if self._writer is not None:
            for key, value in record.items():
                if key != "step":
                    self._writer.add_scalar(f"train/{key}", value, record["step"])

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
