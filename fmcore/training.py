"""The core training loop: AdamW, linear warm-up, gradient clipping, EMA, metrics, checkpoints.

Per step the loop does no host synchronisation: the loss is accumulated on the device and read
(``.item()``) only when metrics are logged or a checkpoint is written.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import attrs
import torch
from tqdm.auto import tqdm

from fmcore.config.train import TrainSettings, lr_factor
from fmcore.data import EpochOrder
from fmcore.ema import EMA
from fmcore.errors import TrainingError
from fmcore.runs import RunDirectory
from fmcore.runs import checkpoint as ckpt

if TYPE_CHECKING:
    from fmcore.pipeline import Pipeline


@attrs.frozen
class TrainResult:
    """What a finished training run reports."""

    steps: int
    final_loss: float
    seconds: float
    run_dir: str | None


def check_trainable(pipeline: Pipeline) -> None:
    """Refuse, before anything is written, a network with nothing to train (an exact oracle)."""
    if not any(p.requires_grad for p in pipeline.network.parameters()):
        raise TrainingError(f"network '{pipeline.config.network.name}' has no trainable parameters; "
                            "there is nothing to train: sample from it directly")


def train(pipeline: Pipeline, run: RunDirectory | None, progress: bool) -> TrainResult:
    """Train ``pipeline``'s network with its objective for ``[train].steps`` steps."""
    settings: TrainSettings = pipeline.config.train
    network = pipeline.network
    device = pipeline.device
    dataset = pipeline.dataset
    torch.manual_seed(pipeline.config.seed)
    optimizer = torch.optim.AdamW(network.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: lr_factor(settings, k))
    ema = EMA(network, settings.ema_decay) if settings.ema_decay > 0 else None
    order = EpochOrder(len(dataset), settings.batch_size, pipeline.config.seed)
    field = pipeline.training_field()
    network.train()
    running = torch.zeros((), device=device)
    count = 0
    last_loss = math.nan
    start = time.perf_counter()
    bar = tqdm(total=settings.steps, disable=not progress, unit="step", dynamic_ncols=True)
    try:
        for step in range(settings.steps):
            batch = dataset.get(order.indices(step)).to(device)
            loss = pipeline.objective.loss(field, batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if settings.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(network.parameters(), settings.grad_clip)
            optimizer.step()
            schedule.step()
            if ema is not None:
                ema.update(network, step)
            running += loss.detach()
            count += 1
            done = step + 1
            bar.update(1)
            boundary = done == settings.steps
            checkpoint_due = run is not None and (
                boundary or (settings.checkpoint_every and done % settings.checkpoint_every == 0)
            )
            if done % settings.log_every == 0 or boundary or checkpoint_due:
                last_loss = running.item() / count
                if not math.isfinite(last_loss):
                    kept = ckpt.list_checkpoints(run.checkpoints) if run else []
                    where = f"; the last good checkpoint is '{kept[-1]}'" if kept else ""
                    raise TrainingError(
                        f"loss became {last_loss} by step {done} (mean over the last {count} steps)"
                        f"{where}; try a lower [train].lr or grad_clip"
                    )
                elapsed = time.perf_counter() - start
                record = {"step": done, "loss": last_loss, "lr": schedule.get_last_lr()[0],
                          "elapsed_s": round(elapsed, 3), "steps_per_s": round(done / elapsed, 2)}
                if run is not None:
                    run.append_metrics(record)
                bar.set_postfix(loss=f"{last_loss:.4f}")
                running.zero_()
                count = 0
            if checkpoint_due:
                assert run is not None
                state = ckpt.TrainerState(
                    step=done,
                    optimizer=optimizer.state_dict(),
                    rng=torch.get_rng_state(),
                    ema=ema.network.state_dict() if ema is not None else None,
                )
                ckpt.save(run.checkpoints, network.state_dict(), state, settings.keep_checkpoints)
    finally:
        bar.close()
    network.eval()
    if ema is not None:
        pipeline.sampling_network = ema.network
    return TrainResult(settings.steps, last_loss, time.perf_counter() - start,
                       str(run.root) if run else None)
