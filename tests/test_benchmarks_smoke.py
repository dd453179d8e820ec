"""``python -m benchmarks`` at smoke size: the page's shape, missing peers and sections, failures.

The peers (the ``bench`` extra) are not needed: they are made unimportable here, so the peer columns
must say how to install them.
"""

from __future__ import annotations

import re
import sys
import types

import pytest

from benchmarks import peers, sections
from benchmarks.__main__ import main
from benchmarks.sections import Section
from fmcore.errors import FmcoreError


def _tables(page: str) -> list[list[str]]:
    """The markdown tables of ``page``, each as its lines."""
    tables, current = [], []
    for line in page.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def test_smoke_page_has_header_sections_tables_and_skipped_peers(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(peers, "PEERS", {name: f"benchmarks.peers.absent_{name}" for name in peers.PEERS})
    out = tmp_path / "page.md"
    assert main(["--smoke", "--only", "overhead", "likelihood", "--threads", "1", "--write", str(out)]) == 0
    page = out.read_text()
    assert page == capsys.readouterr().out.strip() + "\n"  # what is printed is what is written
    assert page.startswith("# Benchmarks\n")
    assert "- Command: `python -m benchmarks --smoke --only overhead likelihood --threads 1 --write" in page
    assert re.search(r"- torch \S+ with 1 thread;", page)
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## Run", "## Framework overhead", "## Likelihood"]
    assert "### Training step" in page and "### Sampling" in page and "### Time per likelihood evaluation" in page
    assert f"`flow_matching`: {peers.SKIPPED}" in page and f"`torchcfm`: {peers.SKIPPED}" in page
    tables = _tables(page)
    assert len(tables) == 4
    for lines in tables:
        assert re.fullmatch(r"\|(---\|)+", lines[1]) and len(lines) > 2
        assert {line.count("|") for line in lines} == {lines[0].count("|")}
    training = tables[0]
    assert training[0].startswith("| MLP | batch | steps per call |") and "fmcore / hand-written" in training[0]
    assert training[2].endswith("| skipped | skipped |")  # flow_matching and torchcfm columns
    assert re.search(r"losses of hand-written, fmcore agree", page)
    assert "Target training ≤ 1.03× hand-written:" in page


def test_missing_and_failing_sections_are_reported_not_raised(monkeypatch):
    missing = Section("ghost", "benchmarks.no_such_module", "Ghost", "does not exist")
    text, ok = sections.run(missing, quick=True, smoke=False, options={})
    assert ok and text == "## Ghost\n\nNot run: `benchmarks.no_such_module` does not exist yet."

    def section(quick: bool) -> str:
        raise FmcoreError("run directory 'x' does not exist")

    monkeypatch.setitem(sys.modules, "benchmarks.failing", types.SimpleNamespace(section=section))
    text, ok = sections.run(Section("failing", "benchmarks.failing", "Failing", ""), quick=True, smoke=False,
                            options={})
    assert not ok and text == "## Failing\n\nFailed: run directory 'x' does not exist"
    text, ok = sections.run(Section("failing", "benchmarks.failing", "Failing", ""), quick=True, smoke=True,
                            options={})
    assert ok and "has no `smoke()`" in text


def test_opt_in_sections_need_their_option(capsys):
    with pytest.raises(SystemExit):
        main(["--only", "digits"])
    assert "section 'digits' needs --digits RUN" in capsys.readouterr().err


def test_couplings_section_rates_independent_pairs_as_one_and_times_both_solvers():
    from benchmarks import couplings

    page = couplings.smoke()
    pairs, solvers = _tables(page)
    assert pairs[2].startswith("| independent | 1.000 |") and pairs[2].endswith("| 1.000 |")
    assert float(pairs[3].split("|")[-2]) < 1.0  # ot shortens the pairs
    assert solvers[0] == "| block size | scipy linear_sum_assignment ms | POT emd ms | emd / scipy |"
    assert len(solvers) == 2 + len(couplings.SMOKE.solver_sizes)
