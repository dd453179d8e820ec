"""The ``fmcore`` command group: user mistakes become one-line errors, plugins may add commands."""

from __future__ import annotations

import sys
import warnings
from typing import Any

import click

import fmcore
from fmcore.errors import FmcoreError


def _show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    click.echo(f"warning: {message}", err=True)


class FmcoreGroup(click.Group):
    """Turns :class:`FmcoreError` into ``Error: <message>`` and exit status 1, without traceback,
    and adds the commands plugins contribute through ``fmcore_commands(cli)`` on first use."""

    _plugin_commands_added = False

    def _add_plugin_commands(self) -> None:
        if not FmcoreGroup._plugin_commands_added:
            FmcoreGroup._plugin_commands_added = True
            from fmcore.plugin_manager import get_plugin_manager

            get_plugin_manager().hook.fmcore_commands(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands:
            self._add_plugin_commands()
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except FmcoreError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=FmcoreGroup)
@click.version_option(fmcore.__version__, prog_name="fmcore")
def cli() -> None:
    """Flow matching and diffusion models in which every part is a plugin."""
