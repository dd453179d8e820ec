"""Smoke runs of the quality benchmarks (``benchmarks/quality.py``, ``benchmarks/tong.py``) at their
smallest sizes: the pure-fmcore parts run, and a missing peer is reported as skipped."""

from __future__ import annotations

import sys

import pytest
import torch

import fmcore
from benchmarks import quality, tong
from benchmarks.peers import SKIPPED
from fmcore_oracles import OracleField


def test_quality_section_with_and_without_the_peer(monkeypatch):
    text = quality.smoke()
    assert text.startswith("## Quality per NFE") and "torchdiffeq euler" in text
    assert "unipc-2" in text and "before issue 7" in text
    monkeypatch.setitem(sys.modules, "torchdiffeq", None)
    text = quality.smoke()
    summary = [line for line in text.splitlines() if line.startswith(("| condot | 4", "| vp | 4"))]
    assert len(summary) == 2 and all(SKIPPED in line for line in summary)
    assert "torchdiffeq euler" not in text and "not measured (skipped" in text


@pytest.mark.parametrize("path", ["condot", "vp"])
def test_same_method_same_numbers_in_fmcore_and_torchdiffeq(path):
    """The harness is fair: fmcore's Euler and midpoint on the uniform grid are torchdiffeq's, step
    for step, from the same noise on the same field."""
    field = OracleField(quality.ring(), fmcore.create("path", path))
    x0 = torch.randn(16, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    reference = torch.zeros_like(x0)
    nfes = (4, 8)
    ours = {(r.solver, r.nfe): r.error for r in quality.fmcore_results(
        path, field, x0, reference, nfes, ["euler", "midpoint"], {"uniform": {"name": "uniform"}})}
    theirs = {(r.solver.removeprefix("torchdiffeq "), r.nfe): r.error
              for r in quality.peer_results(path, field, x0, reference, nfes)}
    for key, error in ours.items():
        assert theirs[key] == pytest.approx(error, rel=1e-12)


def test_exact_nfe_with_skipped_midpoints():
    """``dpm-solver-2s`` skips its midpoint on CondOT's two singular steps: NFE 8 takes 5 steps."""
    field = OracleField(quality.ring(), fmcore.create("path", "condot"))
    found = quality.with_nfe("dpm-solver-2s", {"name": "uniform"}, (4, 8), field)
    assert {nfe: solver.steps for nfe, solver in found.items()} == {4: 3, 8: 5}
    assert quality.with_nfe("rk4", {"name": "uniform"}, (4, 6), field).keys() == {4}


def test_tong_section_without_torchcfm(monkeypatch):
    monkeypatch.setitem(sys.modules, "torchcfm", None)
    monkeypatch.setitem(sys.modules, "benchmarks.peers.torchcfm_torchdyn", None)
    text = tong.smoke()
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| moons")]
    assert [row[1] for row in rows] == ["I-CFM", "OT-CFM", tong.BLOCKS]
    assert all(SKIPPED in row[3] for row in rows[:2])
    assert all(0 < float(row[2].split(" ± ")[0]) < 10 for row in rows)
    assert "not measured (skipped" in text
