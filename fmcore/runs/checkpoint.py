"""Checkpoints: safetensors for tensors, JSON for the rest; never pickle.

A checkpoint is a directory ``checkpoints/step-00001000/`` holding

- ``weights.safetensors``  the network's state dict,
- ``ema.safetensors``      the EMA weights (when EMA is on),
- ``trainer.safetensors``  optimizer tensors and the RNG states (CPU, and CUDA when used),
- ``state.json``           step, optimizer hyper-parameters, non-tensor optimizer state and the
                           learning-rate schedule's state.

It is published atomically (:func:`fmcore.runs.atomic.directory`): a crash mid-write leaves the
previous checkpoints intact and loadable.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import torch
from safetensors.torch import load_file, save_file

from fmcore.errors import RunError
from fmcore.runs import atomic

FORMAT = 1
_NAME = re.compile(r"step-(\d+)")


@attrs.frozen
class TrainerState:
    """What a checkpoint holds besides the network weights."""

    step: int
    optimizer: dict[str, Any]
    rng: torch.Tensor
    ema: dict[str, torch.Tensor] | None = None
    schedule: dict[str, Any] | None = None
    cuda_rng: torch.Tensor | None = None


def checkpoint_dir(root: Path, step: int) -> Path:
    return root / f"step-{step:08d}"


def list_checkpoints(root: Path) -> list[Path]:
    """Complete checkpoints under ``root``, oldest first (temporaries are ignored)."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and _NAME.fullmatch(p.name)]
    return sorted(found, key=lambda p: int(_NAME.fullmatch(p.name).group(1)))  # type: ignore[union-attr]


def save(root: Path, weights: dict[str, torch.Tensor], state: TrainerState, keep: int) -> Path:
    """Write a checkpoint for ``state.step`` atomically; keep only the ``keep`` most recent."""
    root.mkdir(parents=True, exist_ok=True)
    target = checkpoint_dir(root, state.step)
    tensors, meta = _split_optimizer(state.optimizer)
    tensors["rng.torch"] = state.rng
    if state.cuda_rng is not None:
        tensors["rng.cuda"] = state.cuda_rng
    with atomic.directory(target) as tmp:
        save_file(_contiguous(weights), tmp / "weights.safetensors")
        if state.ema is not None:
            save_file(_contiguous(state.ema), tmp / "ema.safetensors")
        save_file(_contiguous(tensors), tmp / "trainer.safetensors")
        document = {"format": FORMAT, "step": state.step, "optimizer": meta, "schedule": state.schedule}
        (tmp / "state.json").write_text(json.dumps(document, indent=1))
    for old in list_checkpoints(root)[:-keep]:
        _remove(old)
    return target


def step_of(checkpoint: Path) -> int:
    """The optimizer step a checkpoint directory was written at (from its name)."""
    match = _NAME.fullmatch(checkpoint.name)
    if match is None:
        raise RunError(f"'{checkpoint}' is not a checkpoint directory (step-XXXXXXXX)")
    return int(match.group(1))


def latest(root: Path) -> Path:
    found = list_checkpoints(root)
    if not found:
        raise RunError(f"no checkpoint in '{root}'")
    return found[-1]


def load_weights(checkpoint: Path, prefer_ema: bool = True) -> dict[str, torch.Tensor]:
    """The EMA weights if present (and preferred), else the trained weights."""
    name = "ema.safetensors" if prefer_ema and (checkpoint / "ema.safetensors").is_file() else "weights.safetensors"
    return _load(checkpoint / name)


def load_state(checkpoint: Path) -> TrainerState:
    """The optimizer, schedule, RNG and EMA state saved with a checkpoint."""
    try:
        document = json.loads((checkpoint / "state.json").read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise RunError(f"checkpoint '{checkpoint}': unreadable state.json: {exc}") from None
    if not isinstance(document, dict) or not {"step", "optimizer"} <= document.keys():
        raise RunError(f"checkpoint '{checkpoint}': state.json lacks 'step' or 'optimizer'")
    tensors = _load(checkpoint / "trainer.safetensors")
    ema_file = checkpoint / "ema.safetensors"
    ema = _load(ema_file) if ema_file.is_file() else None
    optimizer = _join_optimizer(document["optimizer"], tensors)
    return TrainerState(document["step"], optimizer, tensors["rng.torch"], ema,
                        document.get("schedule"), tensors.get("rng.cuda"))


def _load(file: Path) -> dict[str, torch.Tensor]:
    try:
        return load_file(file)
    except FileNotFoundError:
        raise RunError(f"checkpoint file '{file}' is missing") from None
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise RunError(f"checkpoint file '{file}' is unreadable: {exc}") from None


def _contiguous(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().contiguous().cpu() for k, v in tensors.items()}


def _split_optimizer(state_dict: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """``optimizer.state_dict()`` → (tensors keyed ``optim.<param>.<key>``, JSON-able rest)."""
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for index, entries in state_dict["state"].items():
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim.{index}.{key}"] = value
            else:
                scalars.setdefault(str(index), {})[key] = value
    return tensors, {"param_groups": state_dict["param_groups"], "scalars": scalars}


def _join_optimizer(meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        if name.startswith("optim."):
            _, index, key = name.split(".", 2)
            state.setdefault(int(index), {})[key] = value
    for index, entries in meta["scalars"].items():
        state.setdefault(int(index), {}).update(entries)
    return {"state": state, "param_groups": meta["param_groups"]}


def _remove(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
