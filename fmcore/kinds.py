"""The kinds of component fmcore composes, each with its hook, protocol and config section.

Kinds with a section are chosen by a top-level config table; the others are chosen inside another
component's settings (see :func:`fmcore.config.choice`).
"""

from __future__ import annotations

import attrs

from fmcore.errors import PluginError, did_you_mean


@attrs.frozen
class Kind:
    """A component kind: ``name`` is used on the CLI, ``hook`` is the pluggy hook that lists its
    components, ``section`` is its config table (``None`` for kinds that no top-level table selects)."""

    name: str
    hook: str
    section: str | None
    summary: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("dataset", "fmcore_datasets", "data", "where samples z ~ p_data come from"),
        Kind("path", "fmcore_paths", "path", "conditional probability path p_t(x|z) and its prior"),
        Kind("target", "fmcore_targets", "target", "what the network predicts and how it converts"),
        Kind("objective", "fmcore_objectives", "objective", "the training loss"),
        Kind("network", "fmcore_networks", "network", "the learnable field net(x, t, cond)"),
        Kind("integrator", "fmcore_integrators", "integrator", "ODE/SDE solvers for sampling"),
        Kind("schedule", "fmcore_schedules", None, "α_t, σ_t of a Gaussian path (for path 'gaussian')"),
        Kind("time-sampler", "fmcore_time_samplers", None, "how training draws t (for objectives)"),
        Kind("time-grid", "fmcore_time_grids", None, "the times an integrator steps through"),
        Kind("diffusion", "fmcore_diffusions", None, "the noise level g_t of an SDE sampler"),
        Kind("coupling", "fmcore_couplings", None, "how training pairs data with noise (for cfm)"),
        Kind("metric", "fmcore_metrics", None, "a measure of a model's samples or densities (fmcore eval)"),
    )
}


def top_level_kinds() -> list[Kind]:
    """The kinds a config selects with a top-level table, in config order."""
    return [kind for kind in KINDS.values() if kind.section is not None]


def kind_named(name: str) -> Kind:
    """The kind called ``name``; a :class:`~fmcore.errors.PluginError` lists the kinds otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise PluginError(
            f"unknown component kind '{name}'{did_you_mean(name, KINDS)} "
            f"(kinds: {', '.join(KINDS)})"
        ) from None
