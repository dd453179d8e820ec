"""The hooks a plugin implements. Each component hook returns a list of :class:`Component` records.

A plugin is a module (named by an entry point in the ``fmcore`` group) that defines any of these
functions; the ``fmcore_`` prefix alone marks them, as pytest does for ``pytest_`` hooks
(:data:`hookimpl` is there for options such as ``tryfirst``)::

    def fmcore_paths():
        return [Component("my-path", MyPath)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from fmcore.component import Component

PROJECT = "fmcore"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def fmcore_datasets() -> list[Component]:
    """Data sets: settings are the table ``[data]``; the component yields batches of ``z ~ p_data``."""


@hookspec
def fmcore_paths() -> list[Component]:
    """Probability paths ``p_t(x|z)`` (``[path]``), implementing :class:`fmcore.ProbabilityPath`."""


@hookspec
def fmcore_targets() -> list[Component]:
    """Prediction targets (``[target]``), implementing :class:`fmcore.Target`."""


@hookspec
def fmcore_objectives() -> list[Component]:
    """Training objectives (``[objective]``), implementing :class:`fmcore.Objective`."""


@hookspec
def fmcore_networks() -> list[Component]:
    """Networks (``[network]``): the builder gets the data's event shape in its context."""


@hookspec
def fmcore_integrators() -> list[Component]:
    """Integrators (``[integrator]``), implementing :class:`fmcore.Integrator`."""


@hookspec
def fmcore_schedules() -> list[Component]:
    """Schedules ``α_t, σ_t`` (:class:`fmcore.Schedule`) that path ``gaussian`` can use by name."""


@hookspec
def fmcore_time_samplers() -> list[Component]:
    """Distributions of training times (:class:`fmcore.TimeSampler`) that objectives choose from."""


@hookspec
def fmcore_time_grids() -> list[Component]:
    """Time grids (:class:`fmcore.TimeGrid`) that integrators step through."""


@hookspec
def fmcore_diffusions() -> list[Component]:
    """Diffusion schedules ``g_t`` (:class:`fmcore.Diffusion`) that SDE integrators choose from."""


@hookspec
def fmcore_couplings() -> list[Component]:
    """Couplings of data and noise (:class:`fmcore.Coupling`) that training objectives choose from."""


@hookspec
def fmcore_metrics() -> list[Component]:
    """Evaluation metrics (:class:`fmcore.Metric`) that ``fmcore eval`` computes."""


@hookspec
def fmcore_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``fmcore`` command-line group ``cli``."""
