"""Errors meant for users: each prints as one clear line, never as a traceback.

Everything a user can get wrong (a config, a file, a plugin, a run directory) raises a subclass of
:class:`FmcoreError`; the CLI prints its message and exits non-zero. Anything else is a bug.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs


class FmcoreError(Exception):
    """A mistake the user can fix; ``str(error)`` says what was wrong and where."""


class PluginError(FmcoreError):
    """A plugin failed to load or validate, or a component name is ambiguous or unknown."""


class DataError(FmcoreError):
    """A data set could not be read: missing file, wrong shape, bad values."""


class RunError(FmcoreError):
    """A run directory or checkpoint is missing, incomplete or inconsistent."""


class TrainingError(FmcoreError):
    """Training cannot go on (e.g. the loss became non-finite)."""


@attrs.frozen
class ConfigIssue:
    """One thing wrong with a config: ``place`` is a JSON-path such as ``$.path.beta_max``."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class ConfigError(FmcoreError):
    """A config has one or more issues; all of them are reported together."""

    def __init__(self, issues: Sequence[ConfigIssue], source: str | None = None):
        self.issues = tuple(issues)
        self.source = source
        super().__init__(self._format())

    def _format(self) -> str:
        where = f"{self.source}: " if self.source else ""
        if len(self.issues) == 1:
            return f"{where}{self.issues[0]}"
        lines = [f"{where}{len(self.issues)} config errors"]
        lines += [f"  {issue}" for issue in self.issues]
        return "\n".join(lines)

    def with_source(self, source: str) -> ConfigError:
        return ConfigError(self.issues, source)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
