"""Exact log-likelihoods of flow models by the instantaneous change of variables (DESIGN §1).

``log p_{t_end}(x) = log p_init(x_{t_start}) − ∫_{t_start}^{t_end} div v_t(x_t) dt``, where ``x_t`` is
the probability-flow ODE's solution through ``x`` at ``t_end``, found by integrating the augmented
ODE ``d/dt [x, ℓ] = [v_t(x), −div v_t(x)]`` backward with *any* ODE integrator (fixed-step or
adaptive; see :mod:`fmcore.likelihood.augmented` for how it runs backward). When the field's range
starts after the path's ``t_min`` (a target that cannot convert at noise), ``p_{t_start}`` is taken
to be the prior: the result is then the model's density up to that approximation.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from fmcore.errors import FmcoreError
from fmcore.likelihood.augmented import AugmentedField, ode_only, pack, unpack
from fmcore.likelihood.divergence import (
    DivergenceEstimator,
    ExactDivergence,
    HutchinsonDivergence,
    Probe,
    draw_probes,
)
from fmcore.protocols import Integrator, VectorField

DIVERGENCES = ("exact", "hutchinson")


def estimator(divergence: str, like: Tensor, *, probes: int = 1, probe: Probe = "rademacher",
              generator: torch.Generator | None = None) -> DivergenceEstimator:
    """The ``exact`` estimator, or ``hutchinson`` with ``probes`` fixed probes shaped like ``like``."""
    if divergence == "exact":
        return ExactDivergence()
    if divergence == "hutchinson":
        if probes < 1:
            raise FmcoreError(f"probes must be at least 1, got {probes}")
        return HutchinsonDivergence(draw_probes(probes, like, probe, generator))
    raise FmcoreError(f"divergence must be one of {', '.join(DIVERGENCES)}, got {divergence!r}")


def log_prob(field: VectorField, x: Tensor, integrator: Integrator, divergence: DivergenceEstimator,
             cond: Tensor | None = None) -> Tensor:
    """``log p_{t_end}(x)`` in nats, ``[B]``: the augmented ODE from ``[x, 0]`` at ``t_end`` back to
    ``[x_{t_start}, ∫ div v dt]``, then ``log p_init(x_{t_start}) − ∫ div v dt``."""
    event_shape = tuple(x.shape[1:])
    augmented = AugmentedField(field, divergence, event_shape, reverse=True)
    start = pack(x, torch.zeros(x.shape[0], dtype=x.dtype, device=x.device))
    noise, integral = unpack(_solve(integrator, augmented, start, cond), event_shape)
    return field.path.prior_log_prob(noise) - integral


def sample_with_log_prob(field: VectorField, x0: Tensor, integrator: Integrator,
                         divergence: DivergenceEstimator, cond: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """Samples ``x₁`` from prior draws ``x0`` and their ``log p_{t_end}(x₁)`` ``[B]``: the augmented
    ODE forward from ``[x0, log p_init(x0)]``, ``ℓ`` changing by ``−div v_t dt``."""
    event_shape = tuple(x0.shape[1:])
    augmented = AugmentedField(field, divergence, event_shape)
    start = pack(x0, field.path.prior_log_prob(x0))
    return unpack(_solve(integrator, augmented, start, cond), event_shape)


def _solve(integrator: Integrator, augmented: AugmentedField, start: Tensor, cond: Tensor | None) -> Tensor:
    """The end state; an integrator that needs a Gaussian schedule (grid or solver) refuses the
    augmented field with a ``ValueError``, reported as a one-line :class:`FmcoreError`."""
    try:
        return integrator.sample(augmented, start, cond=cond).x
    except ValueError as exc:
        raise ode_only(str(exc)) from None


def bits_per_dim(log_density: Tensor, event_shape: tuple[int, ...], levels: int | None = None) -> Tensor:
    """Negative log-likelihood in bits per dimension, ``[B]``.

    Without ``levels``: ``−log p(x) / (D log 2)`` for continuous data. With ``levels`` (e.g. 256 for
    8-bit images) the data are taken as ``x = 2u − 1``, ``u = (k + U)/levels`` uniformly dequantized
    from integer values ``k``, so ``x`` lies in ``[−1, 1]``. The density of ``u`` is ``p(x) 2^D``
    and a cell of ``k`` has volume ``levels^−D`` in ``u``, so
    ``−log₂ P(k) ≈ −log₂(p(x) 2^D levels^−D)`` and
    ``bpd = (−log p(x) + D log(levels/2)) / (D log 2)`` — ``D log 128`` for 256 levels.
    """
    dim = math.prod(event_shape)
    offset = 0.0 if levels is None else dim * math.log(levels / 2)
    return (offset - log_density) / (dim * math.log(2))


__all__ = [
    "DIVERGENCES",
    "AugmentedField",
    "DivergenceEstimator",
    "ExactDivergence",
    "HutchinsonDivergence",
    "bits_per_dim",
    "estimator",
    "log_prob",
    "sample_with_log_prob",
]
