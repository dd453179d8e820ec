"""The ``fmcore`` command line (click)."""

from fmcore.cli import (  # noqa: F401  (register)
    completion,
    components_cmd,
    config_cmd,
    eval_cmd,
    likelihood_cmd,
    plot_cmd,
    plugins_cmd,
    run_cmds,
)
from fmcore.cli.app import cli


def main() -> None:
    cli(prog_name="fmcore")


__all__ = ["cli", "main"]
