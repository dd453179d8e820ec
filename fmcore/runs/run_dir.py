"""The run directory: resolved config, run facts, checkpoints and metrics.

::

    RUN/
      config.toml      the resolved config (rebuilds the run exactly)
      run.json         facts the config cannot give: data event shape, classes, fmcore version
      metrics.jsonl    one JSON record per logged step
      checkpoints/     step-XXXXXXXX/ directories (see fmcore.runs.checkpoint)
      tensorboard/     TensorBoard event files (with [train].tensorboard = true)
      eval.json        the latest `fmcore eval` (fmcore.evaluation.Evaluation.to_json)
      eval/            what evaluations reuse (e.g. the image metrics' classifier)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from fmcore.errors import RunError
from fmcore.runs import atomic


@attrs.frozen
class RunDirectory:
    """A run directory on disk."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "config.toml"

    @property
    def info_file(self) -> Path:
        return self.root / "run.json"

    @property
    def metrics_file(self) -> Path:
        return self.root / "metrics.jsonl"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def tensorboard(self) -> Path:
        return self.root / "tensorboard"

    @property
    def eval_file(self) -> Path:
        return self.root / "eval.json"

    @property
    def eval_dir(self) -> Path:
        return self.root / "eval"

    @classmethod
    def create(cls, root: str | Path, config_toml: str, info: dict[str, Any]) -> RunDirectory:
        """A new run directory; refuses one that already holds a run (nothing is overwritten)."""
        run = cls(Path(root))
        if run.config_file.exists():
            raise RunError(f"'{run.root}' already holds a run; choose another --out directory")
        run.root.mkdir(parents=True, exist_ok=True)
        atomic.write_text(run.config_file, config_toml)
        atomic.write_text(run.info_file, json.dumps(info, indent=1))
        return run

    @classmethod
    def open(cls, root: str | Path) -> RunDirectory:
        """An existing run directory, checked to hold a config."""
        run = cls(Path(root))
        if not run.root.is_dir():
            raise RunError(f"run directory '{run.root}' does not exist")
        if not run.config_file.is_file():
            raise RunError(f"'{run.root}' is not a run directory: it has no config.toml")
        return run

    def info(self) -> dict[str, Any]:
        try:
            return json.loads(self.info_file.read_text())
        except FileNotFoundError:
            raise RunError(f"run directory '{self.root}' has no run.json") from None
        except json.JSONDecodeError as exc:
            raise RunError(f"'{self.info_file}' is not valid JSON: {exc}") from None

    def append_metrics(self, record: dict[str, Any]) -> None:
        with self.metrics_file.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    def truncate_metrics(self, step: int) -> None:
        """Keep only the records up to ``step`` (a resumed run logs the later steps again), replacing
        the file atomically; a line cut short by a crash is dropped."""
        if not self.metrics_file.is_file():
            return
        kept = []
        for line in self.metrics_file.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("step"), int) and record["step"] <= step:
                kept.append(line + "\n")
        atomic.write_text(self.metrics_file, "".join(kept))
