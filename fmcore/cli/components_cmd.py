"""``fmcore components``: the registered components, and the settings of one."""

from __future__ import annotations

import json
from typing import Any

import click
from click.shell_completion import CompletionItem

from fmcore.cli.app import cli
from fmcore.cli.completion import complete_kind, complete_name
from fmcore.cli.options import json_option
from fmcore.kinds import KINDS, kind_named
from fmcore.plugin_manager import get_registry
from fmcore.reference import markdown, settings_rows
from fmcore.registry import Provided


class _ListByDefault(click.Group):
    """``fmcore components [KIND]`` lists; ``fmcore components show KIND NAME`` details one. Shell
    completion after ``components`` offers both the sub-commands and the kinds."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        completing = ctx.resilient_parsing and not args
        if not completing and (not args or (args[0] not in self.commands and args[0] not in ("--help", "-h"))):
            args = ["list", *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        return [*super().shell_complete(ctx, incomplete), *complete_kind(ctx, self, incomplete)]


def describe(provided: Provided) -> dict[str, Any]:
    return {
        "kind": provided.kind,
        "name": provided.name,
        "aliases": list(provided.component.aliases),
        "summary": provided.component.summary,
        "plugin": provided.plugin,
        "distribution": provided.distribution,
        "version": provided.version,
    }


@cli.group("components", cls=_ListByDefault)
def components() -> None:
    """List components (fmcore components [KIND]) or show one (fmcore components show KIND NAME)."""


@components.command("list")
@click.argument("kind", required=False, shell_complete=complete_kind)
@json_option
@click.option("--markdown", "as_markdown", is_flag=True,
              help="Print the settings reference of the listed components as Markdown "
                   "(docs/reference.md is FMCORE_LOAD_PLUGINS=fmcore fmcore components --markdown).")
def list_components(kind: str | None, as_json: bool, as_markdown: bool) -> None:
    """List the registered components, of KIND if given."""
    registry = get_registry()
    if as_markdown:
        click.echo(markdown(registry, [kind_named(kind)] if kind else None), nl=False)
        return
    kinds = [kind_named(kind).name] if kind else list(KINDS)
    found = [p for k in kinds for p in registry.all(k)]
    if as_json:
        click.echo(json.dumps([describe(p) for p in found], indent=1))
        return
    for k in kinds:
        click.echo(f"{k}:")
        for p in (p for p in found if p.kind == k):
            aliases = f" (aliases: {', '.join(p.component.aliases)})" if p.component.aliases else ""
            click.echo(f"  {registry.canonical_name(p):<16} {p.component.summary}{aliases}  [{p.distribution}]")


@components.command("show")
@click.argument("kind", shell_complete=complete_kind)
@click.argument("name", shell_complete=complete_name)
@json_option
def show_component(kind: str, name: str, as_json: bool) -> None:
    """Show a component's settings: type, default and meaning of each."""
    provided = get_registry().resolve(kind_named(kind).name, name)
    rows = settings_rows(provided.component.settings)
    if as_json:
        click.echo(json.dumps({**describe(provided), "settings": rows}, indent=1, default=str))
        return
    info = describe(provided)
    click.echo(f"{kind} '{provided.name}' — {info['summary']}")
    click.echo(f"  from plugin '{info['plugin']}' ({info['distribution']} {info['version']})")
    if info["aliases"]:
        click.echo(f"  aliases: {', '.join(info['aliases'])}")
    if not rows:
        click.echo("  no settings")
    for row in rows:
        default = "required" if row["required"] else f"default {row['default']!r}"
        click.echo(f"  {row['name']}: {row['type']} ({default})  {row['doc']}")
