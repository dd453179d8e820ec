"""The fenced code blocks of a Markdown page, their ``docs-test`` directives, and the commands of
shell blocks, for ``tests/test_docs.py``.

A directive is an HTML comment on the line right above a block's opening fence:

- ``<!-- docs-test: skip — REASON -->``: the block is not run (the reason is required);
- ``<!-- docs-test: file NAME -->``: the block is written to NAME in the page's working directory
  when the page runs, instead of being run or validated itself (e.g. a bad config the next
  command reports on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: Fence languages by what the doc test does with them; any other language is only displayed.
LANGUAGES = {"python": "python", "py": "python", "bash": "bash", "sh": "bash", "shell": "bash",
             "console": "console", "toml": "toml"}

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<body>.*?)\s*-->\s*$")
_SKIP = re.compile(r"^skip(?:\s*[—–:-]\s*(?P<reason>.*))?$")
_FILE = re.compile(r"^file\s+(?P<name>[\w./-]+)$")


@dataclass(frozen=True)
class Block:
    """A fenced block: its page, the line of its opening fence (1-based), language and text."""

    page: Path
    line: int
    language: str
    text: str
    skip: str | None = None
    file: str | None = None

    @property
    def kind(self) -> str | None:
        """``python``, ``bash``, ``console``, ``toml``, or ``None`` for a displayed-only block."""
        return LANGUAGES.get(self.language)

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass(frozen=True)
class Command:
    """One shell command of a block: its first line, text, and (console) the output shown."""

    line: int
    text: str
    output: tuple[str, ...] = ()


@dataclass
class Page:
    """A Markdown page's blocks, and the directive problems found while reading it."""

    path: Path
    blocks: list[Block] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_page(path: Path) -> Page:
    """Every fenced block of ``path`` with the directive right above it."""
    page = Page(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            if _DIRECTIVE.match(lines[i]) and not (i + 1 < len(lines) and _FENCE.match(lines[i + 1])):
                page.problems.append(f"{path}:{i + 1}: a docs-test directive must be right above a fenced block")
            i += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        language = match["info"].split()[0].lower() if match["info"].strip() else ""
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        text = "\n".join(line[indent:] if not line[:indent].strip() else line.lstrip() for line in lines[i + 1 : end])
        skip, file = _directive(page, lines[i - 1] if i else "", i)
        page.blocks.append(Block(path, i + 1, language, text + "\n", skip, file))
        i = end + 1
    return page


def _directive(page: Page, line: str, fence_index: int) -> tuple[str | None, str | None]:
    match = _DIRECTIVE.match(line)
    if not match:
        return None, None
    where = f"{page.path}:{fence_index}"
    if skip := _SKIP.match(match["body"]):
        reason = (skip["reason"] or "").strip()
        if not reason:
            page.problems.append(f"{where}: 'docs-test: skip' needs a reason: skip — REASON")
        return reason or "no reason given", None
    if file := _FILE.match(match["body"]):
        return None, file["name"]
    page.problems.append(f"{where}: unknown docs-test directive {match['body']!r} (skip — REASON, file NAME)")
    return None, None


def commands(block: Block) -> list[Command]:
    """The commands of a ``bash`` block (every line; ``\\`` continues one) or of a ``console``
    block (lines starting with ``$ ``, each followed by the output it shows). Blank lines and
    lines starting with ``#`` are comments."""
    found: list[Command] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line, number = lines[i], block.line + 1 + i
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if block.kind == "console" and not line.startswith("$ "):
            if found:
                last = found[-1]
                found[-1] = Command(last.line, last.text, (*last.output, stripped))
            continue
        text = line[2:] if block.kind == "console" else line
        while text.rstrip().endswith("\\") and i < len(lines):
            text = text.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
        found.append(Command(number, text.strip()))
    return found


def shows(output: str, expected: tuple[str, ...]) -> str | None:
    """``None`` if every expected line appears in ``output`` in order (each on one line, spaces
    collapsed, ``…`` standing for any text); else the first expected line that does not."""
    actual = [" ".join(line.split()) for line in output.splitlines()]
    at = 0
    for want in expected:
        pattern = re.compile(".*?".join(re.escape(" ".join(part.split())) for part in want.split("…")))
        at = next((k + 1 for k in range(at, len(actual)) if pattern.search(actual[k])), -1)
        if at < 0:
            return want
    return None
