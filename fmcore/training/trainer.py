"""The training state and one optimizer step on it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from fmcore import distributed
from fmcore.conditioning import drop_labels
from fmcore.data import Batch, EpochOrder
from fmcore.ema import EMA
from fmcore.errors import RunError
from fmcore.field import Field
from fmcore.runs import checkpoint as ckpt
from fmcore.training.optimizer import build_optimizer, build_schedule
from fmcore.training.precision import autocast, resolve_precision
from fmcore.training.seeding import global_generators, rng_states, seed_micro_batch, set_rng_states

if TYPE_CHECKING:
    from fmcore.pipeline import Pipeline


class Trainer:
    """Network, optimizer, schedule, EMA and step of a run, restored from ``checkpoint`` if given.

    One optimizer step (:meth:`accumulate` then :meth:`update`) on ``K = world_size · accumulate``
    micro-batches ``B_m`` of ``b = batch_size / K`` samples each: every process backpropagates
    ``L_m / accumulate`` for its micro-batches, DDP averages over processes, so the update uses
    ``∇ (1/K) Σ_m L_m``, the gradient of the mean loss over the whole batch. Then: gradient clipping,
    the optimizer and schedule steps, the EMA. Nothing here reads a tensor back to the host.
    """

    def __init__(self, pipeline: Pipeline, place: distributed.Ranks, checkpoint: Path | None):
        settings = pipeline.config.train
        self.settings = settings
        self.pipeline = pipeline
        self.place = place
        self.device = pipeline.device
        self.network = pipeline.network
        self.dataset = pipeline.dataset
        self.optimizer = build_optimizer(settings, self.network.parameters())
        self.schedule = build_schedule(settings, self.optimizer)
        self.ema = EMA(self.network, settings.ema_decay) if settings.ema_decay > 0 else None
        self.order = EpochOrder(len(self.dataset), settings.batch_size, pipeline.config.seed)
        self.micro_size = settings.batch_size // (place.world_size * settings.accumulate)
        self.precision = resolve_precision(settings.precision, self.device)
        self.generators = global_generators(self.device)
        self.step = 0
        if checkpoint is not None:
            self._restore(checkpoint)
        self.module = distributed.data_parallel(self.network, place, self.device)
        self.field = Field(self.module, pipeline.target, pipeline.path)
        self.loss_sum = torch.zeros((), device=self.device)  # Σ of micro-batch losses not yet read
        self.loss_count = 0
        self._step_losses: list[Tensor] = []  # the micro-batch losses of the step in progress

    def accumulate(self) -> None:
        """Forward and backward passes of this process's micro-batches of the next step."""
        k = self.settings.accumulate
        indices = self.order.indices(self.step)
        self._step_losses.clear()
        for j in range(k):
            m = self.place.rank * k + j
            seed_micro_batch(self.generators, self.pipeline.config.seed, self.step, m)
            batch = self._micro_batch(indices[m * self.micro_size : (m + 1) * self.micro_size])
            with self._gradient_sync(j == k - 1):
                with autocast(self.precision, self.device):
                    loss = self.pipeline.objective.loss(self.field, batch).float()
                (loss / k if k > 1 else loss).backward()
            self._step_losses.append(loss.detach())

    def _micro_batch(self, indices: Tensor) -> Batch:
        """The samples at ``indices`` on the training device, as the objective receives them."""
        batch = self.dataset.get(indices).to(self.device)
        return drop_labels(batch, self.settings.label_dropout, self.pipeline.context.num_classes)

    def _gradient_sync(self, last: bool) -> contextlib.AbstractContextManager[object]:
        """DDP all-reduces gradients only after the last micro-batch of a step."""
        if last or not isinstance(self.module, torch.nn.parallel.DistributedDataParallel):
            return contextlib.nullcontext()
        return self.module.no_sync()

    def update(self) -> None:
        """Clip, take the optimizer and schedule steps, update the EMA; count the step's losses
        towards the next :meth:`read_loss`."""
        if self.settings.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.network.parameters(), self.settings.grad_clip)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.schedule.step()
        if self.ema is not None:
            self.ema.update(self.network, self.step)
        self.step += 1
        for loss in self._step_losses:
            self.loss_sum.add_(loss)
        self.loss_count += self.settings.accumulate

    def read_loss(self) -> tuple[float, int]:
        """The mean micro-batch loss since the last read, over all processes (a collective and a
        host sync), and over how many steps; the sum starts again."""
        total = distributed.sum_over_ranks(self.loss_sum.clone(), self.place)
        steps = self.loss_count // self.settings.accumulate
        mean = total.item() / (self.loss_count * self.place.world_size) if self.loss_count else float("nan")
        self.loss_sum.zero_()
        self.loss_count = 0
        return mean, steps

    def finite(self) -> bool:
        """Whether every parameter is finite (a host sync)."""
        flags = [torch.isfinite(p).all() for p in self.network.parameters()]
        return bool(torch.stack(flags).all())

    def state(self) -> ckpt.TrainerState:
        cpu, cuda = rng_states(self.device)
        return ckpt.TrainerState(
            step=self.step,
            optimizer=self.optimizer.state_dict(),
            rng=cpu,
            ema=self.ema.network.state_dict() if self.ema is not None else None,
            schedule=self.schedule.state_dict(),
            cuda_rng=cuda,
        )

    def _restore(self, checkpoint: Path) -> None:
        state = ckpt.load_state(checkpoint)
        try:
            self.network.load_state_dict(ckpt.load_weights(checkpoint, prefer_ema=False))
            self.optimizer.load_state_dict(state.optimizer)
            if self.ema is not None:
                if state.ema is None:
                    raise RunError(f"checkpoint '{checkpoint}' has no EMA weights but [train].ema_decay > 0")
                self.ema.network.load_state_dict(state.ema)
        except (RuntimeError, ValueError, KeyError) as exc:
            first = str(exc).splitlines()[0]
            raise RunError(f"checkpoint '{checkpoint}' does not fit this run: {first}") from None
        if state.schedule is None:
            raise RunError(f"checkpoint '{checkpoint}' lacks the learning-rate schedule's state")
        self.schedule.load_state_dict(state.schedule)
        set_rng_states(state.rng, state.cuda_rng, self.device)
        self.step = state.step
