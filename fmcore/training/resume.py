"""Continuing a run from its latest checkpoint: which config, which checkpoint, what may change."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fmcore.config import Config, load_config
from fmcore.distributed import Ranks
from fmcore.errors import RunError
from fmcore.runs import RunDirectory, atomic
from fmcore.runs import checkpoint as ckpt

#: The one setting a resumed run may change.
STEPS = "train.steps"


def resumed_config(run_dir: str | Path, overrides: Iterable[str] = ()) -> Config:
    """The config saved in the run ``run_dir``, with ``train.steps`` changed by an override
    ``train.steps=N`` (the only one accepted: the rest is fixed by the run's checkpoints)."""
    overrides = list(overrides)
    for item in overrides:
        if item.partition("=")[0].strip() != STEPS:
            raise RunError(f"--set {item}: a resumed run can change only {STEPS}; "
                           "its other settings are fixed by its checkpoints")
    return load_config(RunDirectory.open(run_dir).config_file, overrides)


def open_resumed_run(out: str | Path, config: Config, place: Ranks) -> tuple[RunDirectory, Path | None]:
    """The run in ``out`` that ``config`` continues, and its latest checkpoint (``None``: there is
    none yet, and training starts again at step 0). Refuses a config that differs from the run's in
    anything but ``train.steps``, and a run that has already trained ``train.steps`` steps. Rank 0
    records a changed ``train.steps`` in the run's ``config.toml``."""
    run = RunDirectory.open(out)
    saved = load_config(run.config_file)
    mine, theirs = config.to_dict(provenance=False), saved.to_dict(provenance=False)
    mine["train"] = {**mine["train"], "steps": theirs["train"]["steps"]}
    place_of_difference = _first_difference(mine, theirs, "$")
    if place_of_difference is not None:
        raise RunError(f"'{run.root}': the config differs from the run's at {place_of_difference}; "
                       f"a resumed run can change only {STEPS}")
    found = ckpt.list_checkpoints(run.checkpoints)
    checkpoint = found[-1] if found else None
    done = ckpt.step_of(checkpoint) if checkpoint is not None else 0
    if done >= config.train.steps:
        raise RunError(f"'{run.root}' has trained {done} of its {config.train.steps} steps; "
                       f"to go on, raise them: --set {STEPS}=N with N > {done}")
    if place.main and config.train.steps != saved.train.steps:
        atomic.write_text(run.config_file, config.to_toml())
    return run, checkpoint


def _first_difference(a: Any, b: Any, place: str) -> str | None:
    """The place of the first value where two config tables differ, or ``None``."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            found = _first_difference(a.get(key), b.get(key), f"{place}.{key}")
            if found is not None:
                return found
        return None
    return None if a == b else place
