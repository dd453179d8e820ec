"""``fmcore components``: the registered components, and the settings of one."""

from __future__ import annotations

import json
import typing
from typing import Any

import attrs
import click
from click.shell_completion import CompletionItem

from fmcore.cli.app import cli
from fmcore.cli.completion import complete_kind, complete_name
from fmcore.cli.options import json_option
from fmcore.config.converter import config_default
from fmcore.kinds import KINDS, kind_named
from fmcore.plugin_manager import get_registry
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


def _type_name(tp: Any) -> str:
    if tp is None:
        return "any"
    if isinstance(tp, type) and hasattr(tp, "KIND"):  # a component chosen inside the settings
        return f"{tp.KIND} (a name or a table {{name = ...}})"
    if isinstance(tp, type) and not typing.get_args(tp):
        return tp.__name__
    return str(tp).replace("typing.", "")


def settings_table(provided: Provided) -> list[dict[str, Any]]:
    """Each setting's name, type, default (``None`` when required) and doc."""
    cls = provided.component.settings
    hints = typing.get_type_hints(cls)
    rows = []
    for field in attrs.fields(cls):
        default = config_default(field)
        rows.append({
            "name": field.name,
            "type": _type_name(hints.get(field.name, field.type)),
            "required": default is attrs.NOTHING,
            "default": None if default is attrs.NOTHING else default,
            "doc": field.metadata.get("doc", ""),
        })
    return rows


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
def list_components(kind: str | None, as_json: bool) -> None:
    """List the registered components, of KIND if given."""
    registry = get_registry()
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
    rows = settings_table(provided)
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
