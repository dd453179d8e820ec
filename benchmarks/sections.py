"""The sections of the benchmark page, and how one is run (the interface is in ``benchmarks/__init__.py``)."""

from __future__ import annotations

import importlib
import time
import traceback
from typing import Any

import attrs

from fmcore.errors import FmcoreError


@attrs.frozen
class Section:
    """A benchmark module and its place on the page; ``option`` names the flag that an opt-in
    section needs (it is not run otherwise)."""

    name: str
    module: str
    title: str
    summary: str
    option: str | None = None


SECTIONS = (
    Section("overhead", "benchmarks.overhead", "Framework overhead",
            "training step and sampling vs hand-written loops, flow_matching and torchcfm"),
    Section("integrators", "benchmarks.integrators", "Integrator overhead",
            "every integrator's sampling time vs the NFE × forward floor"),
    Section("likelihood", "benchmarks.likelihood", "Likelihood",
            "NLL of a Gaussian mixture vs its true entropy; time vs flow_matching's compute_likelihood"),
    Section("quality", "benchmarks.quality", "Quality per NFE", "sample quality per NFE vs torchdiffeq"),
    Section("tong", "benchmarks.tong", "Tong et al. 2-D protocol", "Tong et al.'s 2-D protocol vs torchcfm"),
    Section("couplings", "benchmarks.couplings", "Couplings", "cfm steps with OT couplings vs independent pairs"),
    Section("compile", "benchmarks.compiled", "torch.compile",
            "fmcore with torch.compile vs eager and compiled hand-written loops", option="--compile"),
    Section("digits", "benchmarks.digits_guidance", "Class-conditional digits",
            "classifier accuracy of guided samples of a trained digits run", option="--digits RUN"),
)
BY_NAME = {section.name: section for section in SECTIONS}


def run(section: Section, *, quick: bool, smoke: bool, options: dict[str, Any]) -> tuple[str, bool]:
    """The section's markdown (starting with its heading) and whether it ran without failing.

    A module that does not exist (yet), or whose imports fail, is reported on the page, not raised;
    so is a failure inside it (its traceback goes to stderr). With ``smoke`` the module's ``smoke()``
    runs instead of ``section(quick)``; a module without one is left out.
    """
    heading = f"## {section.title}"
    start = time.perf_counter()
    try:
        module = importlib.import_module(section.module)
    except ModuleNotFoundError as exc:
        missing = "does not exist yet" if exc.name == section.module else f"needs `{exc.name}`, not installed"
        return f"{heading}\n\nNot run: `{section.module}` {missing}.", True
    if smoke and not hasattr(module, "smoke"):
        return f"{heading}\n\nNot run: `{section.module}` has no `smoke()`.", True
    try:
        text = module.smoke() if smoke else module.section(quick, **options)
    except FmcoreError as exc:
        return f"{heading}\n\nFailed: {exc}", False
    except Exception as exc:
        traceback.print_exc()
        first = str(exc).splitlines()[0] if str(exc) else ""
        return f"{heading}\n\nFailed: {type(exc).__name__}: {first} (traceback on stderr).", False
    if not text.lstrip().startswith("#"):
        text = f"{heading}\n\n{text}"
    return f"{text.rstrip()}\n\n_Measured in {time.perf_counter() - start:.0f} s._", True
