"""Shell completion: click completes commands and options; these callbacks complete component kinds
and names from the installed plugins, and ``fmcore completion SHELL`` prints the script to source.

bash: ``eval "$(fmcore completion bash)"``; zsh: ``eval "$(fmcore completion zsh)"``;
fish: ``fmcore completion fish | source`` (each the same as ``_FMCORE_COMPLETE=<shell>_source fmcore``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import click
from click.shell_completion import CompletionItem, get_completion_class

from fmcore.cli.app import cli
from fmcore.errors import FmcoreError
from fmcore.kinds import KINDS
from fmcore.plugin_manager import PluginWarning, get_registry

SHELLS = ("bash", "zsh", "fish")


def complete_kind(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Component kinds starting with ``incomplete``, each with its summary."""
    return [CompletionItem(k.name, help=k.summary) for k in KINDS.values() if k.name.startswith(incomplete)]


def component_names(kind: str, incomplete: str) -> list[CompletionItem]:
    """Names of ``kind`` starting with ``incomplete``: canonical names (``distribution:name`` where two
    plugins share one) and aliases, with summaries. Nothing when the plugins cannot be loaded: a
    completion must never print an error into the command line being typed."""
    if kind not in KINDS:
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PluginWarning)
            registry = get_registry()
    except FmcoreError:
        return []
    items = {}
    for provided in registry.all(kind):
        for name in (registry.canonical_name(provided), *provided.component.aliases):
            if name.startswith(incomplete):
                items.setdefault(name, CompletionItem(name, help=provided.component.summary))
    return list(items.values())


def complete_names_of(kind: str) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    """A completion callback for names of one ``kind`` (e.g. ``--integrator``)."""
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return component_names(kind, incomplete)

    return complete


def complete_name(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Names of the kind given earlier on the command line (the ``kind`` argument)."""
    return component_names(ctx.params.get("kind") or "", incomplete)


@cli.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the SHELL script that completes fmcore's commands, options and component names;
    e.g. eval "$(fmcore completion bash)" in ~/.bashrc."""
    script = get_completion_class(shell)(cli, {}, "fmcore", "_FMCORE_COMPLETE").source()  # type: ignore[misc]
    click.echo(script)
