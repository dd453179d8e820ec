"""Shell completion, in-process: what click would offer the shell for a partial command line."""

from __future__ import annotations

import types

import pytest
from click.shell_completion import ShellComplete, get_completion_class
from click.testing import CliRunner

import fmcore
from fmcore import Component, PluginError
from fmcore.cli import cli, completion
from fmcore_integrators.runge_kutta import Heun


def complete(*words: str) -> list[str]:
    """Completions of the last word after ``fmcore words[:-1]``."""
    shell = ShellComplete(cli, {}, "fmcore", "_FMCORE_COMPLETE")
    return [item.value for item in shell.get_completions(list(words[:-1]), words[-1])]


def test_commands_and_subcommands():
    assert complete("pl") == ["plot", "plugins"]
    assert complete("plugins", "") == ["check"]
    assert set(complete("")) >= {"train", "sample", "likelihood", "config", "components", "plugins", "completion"}


def test_component_kinds_and_the_components_subcommands():
    assert complete("components", "show", "time") == ["time-sampler", "time-grid"]
    assert complete("components", "s") == ["show", "schedule"]
    assert complete("components", "list", "int") == ["integrator"]


def test_names_of_the_kind_given_before_with_aliases():
    assert complete("components", "show", "integrator", "dpm") == [
        "dpm-solver-1", "dpm-solver-2s", "dpm-solver-2m", "dpm-solver-3m"]
    assert sorted(complete("components", "show", "integrator", "rk")) == ["rk2", "rk4"]  # rk2: Heun's alias
    assert complete("components", "show", "path", "lin") == ["linear"]  # CondOT's alias
    assert complete("components", "show", "nonsense", "") == []


def test_integrator_option_of_sample_and_likelihood():
    for command in ("sample", "likelihood"):
        assert complete(command, "runs/m", "--integrator", "euler-") == ["euler-maruyama"]


def test_names_follow_the_registry_and_qualify_shared_names(fmcore_registry):
    plugin = types.SimpleNamespace(fmcore_integrators=lambda: [Component("my-solver", Heun),
                                                               Component("euler", Heun)])
    fmcore.register_plugin(plugin, "mine")
    assert complete("sample", "r", "--integrator", "my") == ["my-solver"]
    offered = complete("components", "show", "integrator", "")
    assert {"fmcore:euler", "local:euler", "my-solver"} <= set(offered) and "euler" not in offered


def test_a_registry_that_fails_to_load_completes_nothing(monkeypatch):
    def fail():
        raise PluginError("plugin 'broken' failed (FMCORE_STRICT_PLUGINS=1)")

    monkeypatch.setattr(completion, "get_registry", fail)
    assert complete("components", "show", "path", "") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_command_prints_clicks_script(shell):
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0, result.output
    expected = get_completion_class(shell)(cli, {}, "fmcore", "_FMCORE_COMPLETE").source()
    assert result.output == expected + "\n"
    assert "_FMCORE_COMPLETE" in result.output


def test_completion_command_refuses_an_unknown_shell():
    result = CliRunner().invoke(cli, ["completion", "tcsh"])
    assert result.exit_code == 2 and "'tcsh' is not one of 'bash', 'zsh', 'fish'" in result.output
