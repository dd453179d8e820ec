"""``fmcore plugins``: each plugin, where it comes from and what it provides; ``fmcore plugins
check``: broken, conflicting and non-conforming plugins."""

from __future__ import annotations

import json
import os

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


@cli.group("plugins", invoke_without_command=True)
@json_option
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """List plugins: entry point, distribution, version, status and components
    (fmcore plugins check: find what is wrong with them)."""
    if ctx.invoked_subcommand is not None:
        return
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


@plugins.command("check")
@click.option("--all", "everything", is_flag=True,
              help="Run the conformance checks on the built-in components too.")
@json_option
@click.pass_context
def check(ctx: click.Context, everything: bool, as_json: bool) -> None:
    """Load every plugin and report, one line each: plugins that fail to import or validate, names
    two plugins claim, and third-party components (every one with --all) that fail the conformance
    checks of their kind. Exits 1 when there is any problem."""
    from fmcore.testing.audit import audit
    from fmcore.testing.isolation import isolated_registry

    env = {k: v for k, v in os.environ.items() if k != "FMCORE_STRICT_PLUGINS"}
    with isolated_registry(env) as registry:
        report = audit(registry, everything)
    if as_json:
        click.echo(json.dumps({
            "ok": not report.problems,
            "plugins": [plugin_record(i) for i in report.plugins],
            "checked": report.checked,
            "skipped": report.skipped,
            "problems": [{"category": p.category, "component": p.component, "plugins": list(p.plugins),
                          "message": p.message} for p in report.problems],
        }, indent=1))
    else:
        loaded = sum(info.status == "loaded" for info in report.plugins)
        checked = len(report.checked)
        click.echo(f"{loaded} plugins loaded; {checked} {'component' if checked == 1 else 'components'} "
                   f"checked" + ("" if everything else " (third-party; --all: every one)"))
        for component, reason in report.skipped.items():
            click.echo(f"skipped: {component}: {reason}")
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(f"{len(report.problems)} problems" if report.problems else "ok")
    if report.problems:
        ctx.exit(1)
