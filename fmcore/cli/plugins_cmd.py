"""``fmcore plugins``: each plugin, where it comes from and what it provides."""

from __future__ import annotations

import json

import click

from fmcore.cli.app import cli
from fmcore.cli.options import json_option
from fmcore.plugin_manager import get_registry
from fmcore.registry import PluginInfo


def plugin_record(info: PluginInfo) -> dict:
    return {
        "name": info.name,
        "module": info.module,
        "distribution": info.distribution,
        "version": info.version,
        "status": info.status,
        "error": info.error,
        "components": [
            {"kind": p.kind, "name": p.name, "aliases": list(p.component.aliases)}
            for p in info.components
        ],
    }


@cli.command("plugins")
@json_option
def plugins(as_json: bool) -> None:
    """List plugins: entry point, distribution, version, status and components."""
    registry = get_registry()
    if as_json:
        click.echo(json.dumps([plugin_record(i) for i in registry.plugins], indent=1))
        return
    for info in registry.plugins:
        head = f"{info.name}  ({info.distribution} {info.version}, {info.module})  {info.status}"
        click.echo(head)
        if info.error:
            click.echo(f"    {info.error}")
        kinds: dict[str, list[str]] = {}
        for p in info.components:
            kinds.setdefault(p.kind, []).append(p.name)
        for kind, names in kinds.items():
            click.echo(f"    {kind}: {', '.join(names)}")
