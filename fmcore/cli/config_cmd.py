"""``fmcore config validate|show``."""

from __future__ import annotations

import json

import click

from fmcore.cli.app import cli
from fmcore.cli.options import json_option, set_option
from fmcore.config import load_config


@cli.group("config")
def config() -> None:
    """Check a config, or print it resolved."""


@config.command("validate")
@click.argument("config_file", type=click.Path(dir_okay=False))
@set_option
def validate(config_file: str, overrides: tuple[str, ...]) -> None:
    """Check CONFIG_FILE; report every error with its place."""
    load_config(config_file, overrides)
    click.echo(f"{config_file}: ok")


@config.command("show")
@click.argument("config_file", type=click.Path(dir_okay=False))
@set_option
@json_option
def show(config_file: str, overrides: tuple[str, ...], as_json: bool) -> None:
    """Print CONFIG_FILE resolved: canonical names, every default, plugin provenance."""
    cfg = load_config(config_file, overrides)
    click.echo(json.dumps(cfg.to_dict(), indent=1) if as_json else cfg.to_toml(), nl=as_json)
