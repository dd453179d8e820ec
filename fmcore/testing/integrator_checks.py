"""Checks of an integrator against flows and laws known in closed form.

Each takes an integrator by registered name (with ``settings``) or as an object, and fails with an
``AssertionError`` that names the integrator, what was measured, the numbers and the tolerance:

- :func:`check_convergence`: the observed order of the end-point error as the steps double, on
  ``dx/dt = −θx`` (``"linear"``), the logistic ODE (``"logistic"``) or the exact probability-flow
  field of Gaussian data (``"gaussian"``);
- :func:`check_marginals`: samples of ``N(m, s² I)`` data drawn through its exact field have mean
  ``m`` and covariance ``s² I`` (ODE and SDE samplers alike);
- :func:`check_reproducible`: equal generator seeds give identical samples whatever torch's global
  random state, different seeds different ones for a stochastic sampler.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import torch
from torch import Tensor

from fmcore.create import create
from fmcore.testing.assertions import assert_close, assert_near
from fmcore.testing.fields import GaussianDataField, LinearDecayField, LogisticField, convergence_order
from fmcore.testing.points import DTYPES, check_placed

FLOWS = {
    "linear": ("dx/dt = −2x", LinearDecayField),
    "logistic": ("dx/dt = (1 + t) x (1 − x)", LogisticField),
    "gaussian": ("the exact field of N(1, 0.5²) data", GaussianDataField),
}


def _built(integrator: Any, settings: dict[str, Any] | None = None) -> tuple[Any, str]:
    """The integrator object and its label, from a registered name (built from ``settings``) or as given."""
    if isinstance(integrator, str):
        return create("integrator", integrator, **(settings or {})), f"integrator '{integrator}'"
    return integrator, f"integrator {type(integrator).__name__}"


def _seeded(seed: int, device: str = "cpu") -> torch.Generator:
    """A generator on ``device`` seeded with ``seed``."""
    return torch.Generator(device=device).manual_seed(seed)


def check_convergence(integrator: Any, order: float, settings: dict[str, Any] | None = None, *,
                      flow: str = "linear", path: str = "condot", steps: Sequence[int] = (8, 16, 32, 64),
                      tolerance: float = 0.3, device: str = "cpu") -> float:
    """The least-squares slope of ``−log error`` against ``log steps`` is ``order ± tolerance``; returns
    it. The error is the largest end-point error over 16 points in float64; the integrator is rebuilt
    with each ``steps`` (it needs that setting). Choose ``steps`` where the error is well above 1e-12."""
    if flow not in FLOWS:
        raise ValueError(f"flow must be one of {', '.join(FLOWS)}, got {flow!r}")
    base, label = _built(integrator, settings)
    description, make = FLOWS[flow]
    field = make(create("path", path))
    x0 = (0.2 + 0.6 * torch.rand(16, 2, generator=_seeded(0), dtype=torch.float64)).to(device)
    exact = field.exact(x0)
    errors = [(attrs.evolve(base, steps=k).sample(field, x0).x - exact).abs().max().item() for k in steps]
    observed = convergence_order(errors, list(steps))
    listing = ", ".join(f"{k}: {e:.2e}" for k, e in zip(steps, errors))
    assert_near(observed, order, tolerance, f"{label}: observed order on {description} over path '{path}' "
                                            f"(max end-point error by steps {listing})")
    return observed


def check_marginals(integrator: Any, settings: dict[str, Any] | None = None, *, path: str = "condot",
                    mean: float = 1.0, std: float = 0.5, n: int = 4000, dim: int = 2, bias: float = 0.02,
                    seed: int = 0, device: str = "cpu") -> tuple[Tensor, Tensor]:
    """Draws ``n`` prior samples through the exact field of ``N(mean, std² I)`` data on ``path`` and
    checks the samples' mean vector and covariance matrix, each entry within 5 standard errors
    (``std/√n``; ``std² √(2/n)`` on the diagonal, ``std²/√n`` off it) plus ``bias`` for the
    discretisation; returns them."""
    return marginals(*_built(integrator, settings), path=create("path", path), mean=mean, std=std, n=n,
                     dim=dim, bias=bias, seed=seed, device=device)


def marginals(sampler: Any, label: str, *, path: Any, mean: float = 1.0, std: float = 0.5, n: int = 4000,
              dim: int = 2, bias: float = 0.02, seed: int = 0, device: str = "cpu") -> tuple[Tensor, Tensor]:
    """:func:`check_marginals` on an integrator object and a path object."""
    field = GaussianDataField(path, mean=mean, std=std)
    x0 = path.sample_prior((n, dim), generator=_seeded(seed), dtype=torch.float64).to(device)
    x = sampler.sample(field, x0, generator=_seeded(seed + 1, device)).x
    what = f"{label} sampling N({mean:g}, {std:g}² I) data in {dim}-D ({n} samples)"
    sample_mean, covariance = x.mean(0), x.T.cov()
    assert_close(sample_mean, mean, f"{what}: mean", atol=5 * std / math.sqrt(n) + bias)
    eye = torch.eye(dim, dtype=x.dtype, device=x.device)
    standard_error = std**2 * (1 + (math.sqrt(2) - 1) * eye) / math.sqrt(n)
    assert_close(covariance, std**2 * eye, f"{what}: covariance", atol=5 * standard_error + bias)
    return sample_mean, covariance


def check_reproducible(integrator: Any, settings: dict[str, Any] | None = None, *, path: str = "condot",
                       stochastic: bool | None = None, device: str = "cpu") -> bool:
    """Equal generator seeds give identical samples even when torch's global seed differs (noise comes
    from the ``generator`` argument only); returns whether different seeds differ, which must match
    ``stochastic`` when given."""
    sampler, label = _built(integrator, settings)
    varies = reproducible(sampler, label, path=create("path", path), device=device)
    assert stochastic is None or varies == stochastic, (
        f"{label}: generator seeds 0 and 1 give {'different' if varies else 'identical'} samples; "
        f"expected a {'stochastic' if stochastic else 'deterministic'} sampler")
    return varies


def reproducible(sampler: Any, label: str, *, path: Any, device: str = "cpu") -> bool:
    """:func:`check_reproducible` on an integrator object and a path object; returns whether
    different seeds give different samples."""
    field = GaussianDataField(path)
    x0 = torch.randn(64, 2, generator=_seeded(0), dtype=torch.float64).to(device)

    def draw(seed: int, global_seed: int) -> Tensor:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(global_seed)
            return sampler.sample(field, x0, generator=_seeded(seed, device)).x

    first, again = draw(0, 1), draw(0, 2)
    assert torch.equal(first, again), (f"{label}: the same generator seed gave samples up to "
                                       f"{(first - again).abs().max().item():.3g} apart under two global "
                                       f"seeds; draw noise only from the generator argument")
    return not torch.equal(first, draw(1, 1))


def check_integrator(integrator: Any, label: str, device: str) -> None:
    """Shapes, dtypes, device, NFE and trajectory on ``dx/dt = −2x``. A deterministic integrator
    (generator seeds 0 and 1 give the same samples) ends within 5% of the exact flow there; a
    stochastic one is reproducible (:func:`reproducible`) and samples ``N(1, 0.5² I)`` data from its
    exact field with the right mean and covariance (:func:`marginals`)."""
    path = create("path", "condot")
    field = LinearDecayField(path)
    for dtype in DTYPES:
        x0 = torch.randn(8, 2, dtype=dtype, device=device)
        sol = integrator.sample(field, x0, trajectory=True)
        check_placed(sol.x, (8, 2), dtype, device, f"{label}: Solution.x")
        assert isinstance(sol.nfe, int) and sol.nfe > 0, f"{label}: reports nfe={sol.nfe!r}"
        assert sol.trajectory is not None and sol.times is not None, f"{label}: no trajectory when asked"
        check_placed(sol.trajectory, (sol.trajectory.shape[0], 8, 2), dtype, device, f"{label}: trajectory")
        check_placed(sol.times, (sol.trajectory.shape[0],), dtype, device, f"{label}: trajectory times")
        assert torch.equal(sol.trajectory[-1], sol.x), f"{label}: the trajectory does not end at Solution.x"
    if reproducible(integrator, label, path=path, device=device):
        marginals(integrator, label, path=path, device=device)
        return
    x0 = torch.randn(8, 2, dtype=torch.float64, generator=_seeded(0)).to(device)
    scale = x0.abs().max().item()
    assert_close(integrator.sample(field, x0).x, field.exact(x0), f"{label}: end point on dx/dt = −2x "
                 f"(tolerance 5% of max |x0|)", atol=0.05 * scale)
