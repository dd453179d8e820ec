"""Run directories, atomic writes and checkpoints."""

from fmcore.runs.run_dir import RunDirectory

__all__ = ["RunDirectory"]
