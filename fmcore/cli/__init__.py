"""The ``fmcore`` command line (click)."""

from fmcore.cli import components_cmd, config_cmd, plugins_cmd, run_cmds  # noqa: F401  (register)
from fmcore.cli.app import cli


def main() -> None:
    cli(prog_name="fmcore")


__all__ = ["cli", "main"]
