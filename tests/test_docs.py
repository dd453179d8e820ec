"""Every fenced code block of ``README.md`` and ``docs/**/*.md`` runs as written (or, for long
commands, shortened as SHORTENING below says), and ``docs/reference.md`` is current.

- ``python`` blocks of one page run in order in one namespace (like a notebook), in a temporary
  working directory that holds ``examples/``, with the installed plugins loaded afresh.
- ``bash`` blocks: every line (``\\`` continues it) is a shell command; ``console`` blocks: every
  ``$ `` line. Each runs in that directory with the venv's ``fmcore`` first on ``PATH`` and must
  exit 0 — except a console command whose shown output begins with ``Error:``, which must fail.
  A plain ``fmcore ...`` command (no shell syntax) runs in a process forked from a warm interpreter
  (``tests/warm_fmcore.py``: it saves the 2.5–8 s import of torch per command); any other under bash.
  Every output line a console block shows must appear, in order (``…`` stands for any text).
- ``toml`` blocks: a config (it has ``[data]``) is validated as ``fmcore config validate`` does; a
  fragment has each table checked against the settings of the component it names (or the default
  one); a ``pyproject.toml`` excerpt is only parsed.
- ``<!-- docs-test: skip — REASON -->`` right above a block leaves it out (each is reported as a
  skipped test with its reason); ``<!-- docs-test: file NAME -->`` writes the block to NAME instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

from fmcore.cli import cli
from fmcore.config import load_config, structure
from fmcore.config.resolve import DEFAULT_NAMES, TOP_LEVEL
from fmcore.config.spec import resolve_spec
from fmcore.config.train import TrainSettings
from fmcore.kinds import top_level_kinds
from fmcore.pipeline import Pipeline
from fmcore.plugin_manager import get_registry
from fmcore.reference import COMMAND, markdown, toml_value
from fmcore.testing import isolated_registry
from tests.doc_blocks import Block, Command, commands, read_page, shows
from tests.warm_fmcore import WarmFmcore, plain_argv

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PAGES = [read_page(path.relative_to(ROOT)) for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]]
BLOCKS = [block for page in PAGES for block in page.blocks]
RUNS = ("python", "bash", "console")
PYPROJECT_TABLES = {"project", "build-system", "tool"}

# SHORTENING: the one place where the test departs from the commands the docs show.
# - `fmcore train`: `--set train.steps=SHORT_STEPS` is appended; a `train.steps=N` already given
#   (e.g. to resume a finished run further) becomes short_steps(N), which keeps larger N larger.
#   In python blocks `Pipeline.train` trains short_steps(steps) of its config's steps.
# - `-n N` of any fmcore command becomes at most MAX_SAMPLES; `fmcore eval` and `fmcore plot` get
#   `-n MAX_SAMPLES` when they have no `-n` (their defaults are 2000 and 1000).
# - `fmcore plot` draws the density on a grid of at most PLOT_RESOLUTION² points.
# - In python blocks, a fixed-step integrator takes at most MAX_STEPS steps (python code keeps its
#   sample sizes, which labels and comparisons depend on; a digit costs 0.1 s per 50 steps).
# - Commands run with one torch thread (OMP_NUM_THREADS=1): pytest -n 2 fills the cores.
SHORT_STEPS = 10
MAX_SAMPLES = 16
MAX_STEPS = 4
PLOT_RESOLUTION = 12


def short_steps(n: int) -> int:
    """Few steps, increasing with ``n``: ``min(n, 10 + n // 4000)``."""
    return min(n, SHORT_STEPS + n // 4000)


def shorten(command: str) -> str:
    """``command`` with every fmcore invocation in it shortened (see SHORTENING)."""
    parts = re.split(r"(&&|\|\||;|\|)", command)
    return "".join(_shorten_fmcore(part) for part in parts)


def _shorten_fmcore(part: str) -> str:
    invoked = re.search(r"(?:^|\s|/)fmcore\s+(\w+)", part)
    if not invoked:
        return part
    part = _at_most(part, "-n", MAX_SAMPLES, append=invoked[1] in ("eval", "plot"))
    if invoked[1] == "plot":
        return _at_most(part, "--resolution", PLOT_RESOLUTION, append=True)
    if invoked[1] != "train":
        return part
    if re.search(r"train\.steps=\d+", part):
        return re.sub(r"train\.steps=(\d+)", lambda m: f"train.steps={short_steps(int(m[1]))}", part)
    return part if "--resume" in part else _append(part, f"--set train.steps={SHORT_STEPS}")


def _at_most(part: str, option: str, limit: int, append: bool = False) -> str:
    """The number after ``option`` capped at ``limit``; with ``append``, the option added if absent."""
    pattern = rf"(\s{re.escape(option)}\s+)(\d+)"
    if re.search(pattern, part):
        return re.sub(pattern, lambda m: f"{m[1]}{min(int(m[2]), limit)}", part)
    return _append(part, f"{option} {limit}") if append else part


def _append(part: str, words: str) -> str:
    """``words`` added to the command ``part``, before a trailing ``# comment``."""
    command, comment = re.match(r"(.*?)(\s+#[^'\"]*)?$", part, re.DOTALL).groups()
    return f"{command} {words}{comment or ''}"


@pytest.fixture
def short_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Pipeline.train`` trains ``short_steps`` of its config's steps; integrators take at most
    ``MAX_STEPS`` steps."""
    train, integrator_for = Pipeline.train, Pipeline.integrator_for

    def short_train(self: Pipeline, out: Any = None, **options: Any) -> Any:
        self.config = attrs.evolve(self.config, train=attrs.evolve(
            self.config.train, steps=short_steps(self.config.train.steps)))
        return train(self, out, **options)

    def short_integrator(self: Pipeline, integrator: Any, steps: int | None) -> Any:
        solver = integrator_for(self, integrator, steps)
        if attrs.has(type(solver)) and getattr(solver, "steps", 0) > MAX_STEPS:
            solver = attrs.evolve(solver, steps=MAX_STEPS)
        return solver

    monkeypatch.setattr(Pipeline, "train", short_train)
    monkeypatch.setattr(Pipeline, "integrator_for", short_integrator)


@pytest.fixture(scope="module")
def warm() -> Iterator[WarmFmcore]:
    server = WarmFmcore(_environment())
    yield server
    server.close()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working directory holding ``examples/``, made the current one."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


def _runnable(page_blocks: list[Block]) -> bool:
    return any(b.kind in RUNS and b.skip is None and b.file is None for b in page_blocks)


@pytest.mark.parametrize("page", [p for p in PAGES if _runnable(p.blocks)], ids=lambda p: str(p.path))
def test_page_runs(page, workdir, short_runs, warm):
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with isolated_registry(dict(os.environ)):
        for block in page.blocks:
            if block.skip is not None:
                continue
            if block.file is not None:
                (workdir / block.file).parent.mkdir(parents=True, exist_ok=True)
                (workdir / block.file).write_text(block.text, encoding="utf-8")
            elif block.kind == "python":
                _run_python(block, namespace)
            elif block.kind in ("bash", "console"):
                for command in commands(block):
                    _run_command(block, command, workdir, warm)


def _run_python(block: Block, namespace: dict[str, Any]) -> None:
    code = compile("\n" * block.line + block.text, str(ROOT / block.page), "exec")
    try:
        exec(code, namespace)
    except Exception as exc:
        raise AssertionError(f"the python block at {block.where} raised {type(exc).__name__}: {exc}") from exc


def _environment() -> dict[str, str]:
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}", "OMP_NUM_THREADS": "1",
            "MPLBACKEND": "Agg", "COLUMNS": "100"}


def _run_command(block: Block, command: Command, workdir: Path, warm: WarmFmcore) -> None:
    text = shorten(command.text)
    argv = plain_argv(text)
    if argv is None:
        done = subprocess.run(text, shell=True, executable="/bin/bash", cwd=workdir, env=_environment(),
                              capture_output=True, text=True, timeout=600, check=False)
        status, output = done.returncode, done.stdout + done.stderr
    else:
        status, stdout, stderr = warm.run(argv, workdir, _environment(), timeout=600)
        output = stdout + stderr
    place = f"{block.page}:{command.line}: `{text}`"
    should_fail = bool(command.output) and command.output[0].startswith("Error:")
    if should_fail and status == 0:
        pytest.fail(f"{place} succeeded, but the docs show it failing\n{output[-3000:]}")
    if not should_fail and status != 0:
        pytest.fail(f"{place} exited {status}\n{output[-3000:]}")
    missing = shows(output, command.output)
    if missing is not None:
        pytest.fail(f"{place}: the docs show the line\n  {missing}\nwhich is not in the output:\n{output[-3000:]}")


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.kind == "toml" and b.skip is None and b.file is None],
                         ids=lambda b: b.where)
def test_toml_block(block, workdir):
    try:
        table = tomllib.loads(block.text)
    except tomllib.TOMLDecodeError as exc:
        pytest.fail(f"{block.where}: not TOML: {exc}")
    if table.keys() & PYPROJECT_TABLES:
        assert table.keys() <= PYPROJECT_TABLES, f"{block.where}: a pyproject.toml excerpt with other tables"
        return
    unknown = sorted(table.keys() - set(TOP_LEVEL))
    assert not unknown, f"{block.where}: not config sections: {unknown} (sections: {', '.join(TOP_LEVEL)})"
    if "data" in table:
        load_config(table)
        return
    problems = list(_fragment_issues(table))
    assert not problems, f"{block.where}:\n  " + "\n  ".join(problems)


def _fragment_issues(fragment: Mapping[str, Any]) -> Iterator[str]:
    """Each table of a config fragment against the settings of the component it names."""
    kinds = {kind.section: kind.name for kind in top_level_kinds()}
    for section, table in fragment.items():
        if section == "train":
            yield from map(str, structure(table, TrainSettings, "$.train")[1])
        elif section in kinds:
            kind = kinds[section]
            if isinstance(table, Mapping) and "name" not in table and kind in DEFAULT_NAMES:
                table = {"name": DEFAULT_NAMES[kind], **table}
            yield from map(str, resolve_spec(kind, table, get_registry(), f"$.{section}")[1])


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.skip is not None], ids=lambda b: b.where)
def test_skipped_block(block):
    pytest.skip(f"{block.where} ({block.language}): {block.skip}")


def test_directives_are_well_formed():
    problems = [problem for page in PAGES for problem in page.problems]
    assert not problems, "\n".join(problems)


def test_index_maps_every_page():
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    linked = {(ROOT / "docs" / target).resolve() for target in re.findall(r"\]\(([^)#\s]+)", index)}
    pages = {path.resolve() for path in (ROOT / "docs").rglob("*.md")} - {(ROOT / "docs" / "index.md").resolve()}
    assert not sorted(pages - linked), f"docs/index.md does not link {sorted(pages - linked)}"
    assert "(docs/index.md)" in (ROOT / "README.md").read_text(encoding="utf-8"), "README.md does not link docs/index.md"


def test_relative_links_resolve():
    broken = [f"{page.path}: {target}" for page in PAGES
              for target in re.findall(r"\]\(([^)\s]+)\)", (ROOT / page.path).read_text(encoding="utf-8"))
              if not re.match(r"[a-z]+:|#", target)
              and not (ROOT / page.path.parent / target.split("#")[0]).exists()]
    assert not broken, "links to nothing:\n" + "\n".join(broken)


def test_reference_is_current(fmcore_registry):
    assert (ROOT / "docs" / "reference.md").read_text(encoding="utf-8") == markdown(fmcore_registry), (
        f"docs/reference.md is stale: run {COMMAND}")


def test_markdown_option_prints_a_kind_with_toml_defaults_and_linked_choices(fmcore_registry):
    result = CliRunner().invoke(cli, ["components", "objective", "--markdown"])
    assert result.exit_code == 0, result.output
    assert "## objective" in result.output and "## path" not in result.output
    assert "| `time_sampler` | [time-sampler](#time-sampler): a name or a table | `{name = \"uniform\"}` |" in result.output
    assert toml_value({"name": "x", "a": [1, 2.5, True], "b": float("inf")}) == '{name = "x", a = [1, 2.5, true], b = inf}'


def test_shortening():
    assert shorten("fmcore train examples/moons.toml --out runs/m") == (
        f"fmcore train examples/moons.toml --out runs/m --set train.steps={SHORT_STEPS}")
    assert shorten("fmcore train --resume runs/m --set train.steps=40000") == (
        f"fmcore train --resume runs/m --set train.steps={short_steps(40000)}")
    assert short_steps(40000) > short_steps(6000) > SHORT_STEPS >= short_steps(5)
    assert shorten("fmcore train --resume runs/m") == "fmcore train --resume runs/m"
    assert shorten("fmcore sample r -n 5000 -o x.npy && python -m pytest -n 2") == (
        f"fmcore sample r -n {MAX_SAMPLES} -o x.npy && python -m pytest -n 2")
    assert shorten("fmcore plot runs/m   # look") == (
        f"fmcore plot runs/m -n {MAX_SAMPLES} --resolution {PLOT_RESOLUTION}   # look")
    assert shorten("fmcore plot runs/m --resolution 200 -n 5") == f"fmcore plot runs/m --resolution {PLOT_RESOLUTION} -n 5"
    assert shorten("fmcore eval runs/m") == f"fmcore eval runs/m -n {MAX_SAMPLES}"


def test_plain_fmcore_commands_are_told_apart():
    assert plain_argv("fmcore sample runs/m -n 5 -o x.npy   # five") == ["sample", "runs/m", "-n", "5", "-o", "x.npy"]
    assert plain_argv("fmcore sample r --set 'integrator.grid={name = \"edm\"}'") == [
        "sample", "r", "--set", 'integrator.grid={name = "edm"}']
    for shell in ("fmcore plugins | head", "FMCORE_LOAD_PLUGINS=fmcore fmcore plugins", "fmcore sample $RUN",
                  "fmcore a && fmcore b", "python -m fmcore plugins", "fmcore plugins > p.txt"):
        assert plain_argv(shell) is None, shell


def test_blocks_directives_commands_and_shown_output(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("\n".join([
        "<!-- docs-test: skip — needs a GPU -->", "```console", "$ fmcore a \\", "    --b 1", "out …", "```",
        "<!-- docs-test: file x.toml -->", "```toml", "a = 1", "```",
        "<!-- docs-test: skip -->", "```bash", "echo 1", "# note", "echo 2", "```",
        "<!-- docs-test: skp — typo -->", "```python", "pass", "```",
        "<!-- docs-test: skip — stray -->", "", "```text", "shown", "```",
    ]) + "\n")
    read = read_page(page)
    assert [(b.line, b.kind, b.skip, b.file) for b in read.blocks] == [
        (2, "console", "needs a GPU", None), (8, "toml", None, "x.toml"), (12, "bash", "no reason given", None),
        (18, "python", None, None), (23, None, None, None)]
    assert len(read.problems) == 3 and "needs a reason" in read.problems[0]
    assert "unknown docs-test directive" in read.problems[1] and "right above" in read.problems[2]
    assert commands(read.blocks[0]) == [Command(3, "fmcore a  --b 1", ("out …",))]
    assert [c.text for c in commands(read.blocks[2])] == ["echo 1", "echo 2"]
    assert shows("x\nwrote 16 samples to a.npy (1.2 s)\ndone", ("wrote … samples to a.npy (… s)", "done")) is None
    assert shows("done\nwrote 3 samples", ("wrote … samples", "done")) == "done"
