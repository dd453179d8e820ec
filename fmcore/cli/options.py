"""Options shared by several commands."""

from __future__ import annotations

import json

import click

set_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a config value, e.g. --set path.beta_max=15 (repeatable).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
device_option = click.option(
    "--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None,
    help="Where to run (default: the config's [train].device).",
)


def integrator_overrides(integrator: str | None, steps: int | None, overrides: tuple[str, ...]) -> list[str]:
    """``--integrator NAME`` replaces the config's integrator table by ``{name = NAME}`` and ``--steps``
    sets its steps, both before the ``--set`` overrides (which may then tune the new integrator)."""
    head = [] if integrator is None else [f"integrator={{name = {json.dumps(integrator)}}}"]
    return [*head, *([] if steps is None else [f"integrator.steps={steps}"]), *overrides]
