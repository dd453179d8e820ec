"""The benchmark page's fixed text and its header: the machine and software a run was measured on."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

import torch

import fmcore
from benchmarks import peers

ROOT = Path(__file__).resolve().parents[1]

INTRO = """\
# Benchmarks

This page is written by `python -m benchmarks --write docs/benchmarks.md` (the command and machine
are below); edit `benchmarks/`, not this file. Every speed claim is a ratio of two times measured
in the same run, interleaved and repeated (`benchmarks/timing.py`), on the same network, weights and
data, so that the load of a shared machine cancels as far as it can; absolute times are given only
for scale. With torch on one thread (the reference run) the times are the process's CPU time, so
that time other processes take from it does not count; otherwise wall time.

- `python -m benchmarks` runs every section (under 40 minutes on 2 cores); `--quick` a smaller
  version of each (a few minutes); `--only NAME ...` some of them; `--compile` adds the
  `torch.compile` section and `--digits RUN` the guided-digits section of a trained digits run.
  `--threads N` fixes torch's threads, `--peers NAME ...` chooses the peers (none: `--peers`).
- Peers (Meta's `flow_matching`, `torchcfm` with `torchdyn`, POT) are the optional `bench` extra:
  `pip install 'fmcore[bench]'`, after torch. `torchdyn` imports `torchvision`, which must match the
  installed torch: with the CPU wheel of torch, install the CPU wheel of torchvision from the same
  index (a CUDA torchvision next to a CPU torch fails on import, and the peer is then skipped). A
  missing peer's column says `skipped: pip install 'fmcore[bench]'`."""


def header(command: str, quick: bool) -> str:
    """Command, date, code version, CPU, load, torch and the peers' versions, as a bullet list."""
    versions = peers.versions()
    software = ", ".join(f"{name} {version}" for name, version in versions.items() if name != "torch")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    threads = torch.get_num_threads()
    lines = [
        "## Run\n",
        f"- Command: `{command}`" + (" — a quick run: fewer sizes and repeats than the reference run."
                                     if quick else ""),
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; fmcore {fmcore.__version__}"
        f"{_git()}",
        f"- CPU: {cpu_model()}, {cores} cores available of {os.cpu_count()}; {load()} at the start",
        f"- torch {versions['torch']} with {threads} thread{'s' if threads > 1 else ''}; "
        f"Python {platform.python_version()}",
        f"- Peers and solvers: {software}",
    ]
    return "\n".join(lines)


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo``, else what :mod:`platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load() -> str:
    """The 1-minute load average (how busy the machine was), where the system reports one."""
    if not hasattr(os, "getloadavg"):
        return "load average unknown"
    return f"load average {os.getloadavg()[0]:.1f}"


def _git() -> str:
    """`` (git <commit>)``, noting uncommitted changes; empty outside a git checkout."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f" (git {commit}{', with uncommitted changes' if dirty else ''})"
