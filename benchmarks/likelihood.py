"""Likelihood: the NLL of a 2-D Gaussian mixture against its true entropy, and the time per
likelihood evaluation against ``flow_matching``'s ``ODESolver.compute_likelihood``.

The model is the exact field of ``examples/oracle-gmm.toml`` (``oracle-gmm`` on CondOT, velocity
target), so its density is the mixture's ``p`` up to the ODE solver's error and the divergence
estimate. For ``x_i ~ p``, ``i = 1..n``:

- ``NLL = −(1/n) Σ log p̂(x_i)``, ``log p̂`` by ``Pipeline.log_prob`` (the instantaneous change of
  variables from t = 1 back to 0) with exact divergence or Hutchinson's estimate (one Rademacher or
  Gaussian probe), for Euler and RK4 with fixed steps and adaptive dopri5 (rtol = atol = 1e-5);
- the true entropy ``H = −(1/n) Σ log p(x_i)`` from the analytic density, ± its standard error;
- ``NLL − H`` paired over the same draws, ± the standard error of the per-point differences.

Times: a batch of points, Euler and RK4 at the same NFE, fmcore's ``Pipeline.log_prob`` against
``compute_likelihood`` on the same field wrapped as an ``nn.Module``; ratios fmcore / flow_matching.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType

import attrs
import torch
from torch import Tensor, nn

import fmcore
from benchmarks import peers
from benchmarks.markdown import ratio, table
from benchmarks.counting import counted
from benchmarks.timing import timed

CONFIG = Path(__file__).resolve().parents[1] / "examples" / "oracle-gmm.toml"
STAGES = {"euler": 1, "rk4": 4}
#: (divergence, probe) as fmcore names them; flow_matching's Hutchinson estimate uses Rademacher probes.
ESTIMATES = (("exact", "rademacher"), ("hutchinson", "rademacher"), ("hutchinson", "gaussian"))
TOLERANCE = 1e-5


@attrs.frozen
class Scale:
    """Draws for the NLL, fixed steps of Euler and RK4, whether dopri5 runs; points, NFE and
    repeats of the timing."""

    n: int
    euler_steps: int
    rk4_steps: int
    adaptive: bool
    time_points: int
    time_nfe: int
    repeats: int


FULL = Scale(10_000, 100, 25, True, 1000, 40, 5)
QUICK = Scale(2000, 50, 10, True, 1000, 20, 3)
SMOKE = Scale(100, 4, 1, False, 50, 4, 1)


def section(quick: bool) -> str:
    return report(QUICK if quick else FULL)


def smoke() -> str:
    return report(SMOKE)


class FieldVelocity(nn.Module):
    """A field's velocity as a module ``(x, t[B]) ↦ u_t(x)``, for flow_matching's solver."""

    def __init__(self, field: fmcore.Field):
        super().__init__()
        self.field = field

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        return self.field.velocity(x, t)


@attrs.frozen
class Estimate:
    """``NLL − H`` and its standard error, and the NFE of one solve."""

    gap: float
    error: float
    nfe: int

    def cell(self) -> str:
        return f"{self.gap:+.3g} ± {self.error:.2g}"


def report(scale: Scale) -> str:
    pipe = fmcore.Pipeline.open(CONFIG)
    meta = peers.load("flow_matching")
    mixture = pipe.network.distribution
    x = mixture.sample(scale.n, generator=torch.Generator().manual_seed(0)).float()
    true = mixture.log_prob(pipe.path, x.double(), 1.0)
    entropy, entropy_error = _mean_and_error(-true)
    velocity = FieldVelocity(pipe.field)
    solvers = [("euler", scale.euler_steps), ("rk4", scale.rk4_steps)] + ([("dopri5", None)] if scale.adaptive else [])
    rows = []
    for method, steps in solvers:
        for divergence, probe in ESTIMATES:
            ours = _estimate(pipe, true, partial(pipe.log_prob, x, integrator=method, steps=steps,
                                                 divergence=divergence, probe=probe, seed=0, batch_size=len(x)))
            theirs = None
            if meta is not None and (divergence, probe) != ("hutchinson", "gaussian"):
                theirs = _estimate(pipe, true, partial(meta.log_likelihood, velocity, x, pipe.path.prior_log_prob,
                                                       method, steps, divergence == "exact", TOLERANCE))
            rows.append((method, steps, divergence, probe, ours, theirs))
    name = "flow_matching" if meta is not None else f"flow_matching ({peers.why_not('flow_matching')})"
    parts = [
        "## Likelihood",
        f"Exact field of `examples/oracle-gmm.toml` (a 3-component 2-D Gaussian mixture, CondOT, velocity "
        f"target): no training, so the model's density is the mixture's up to solver and estimator error. "
        f"n = {scale.n} draws `x_i ~ p`; true entropy H = {entropy:.4f} ± {entropy_error:.4f} nats "
        f"(Monte Carlo over the same draws from the analytic density, ± one standard error). "
        f"NLL − H is paired over the draws, ± its standard error; dopri5 at rtol = atol = {TOLERANCE:g}.",
        table(["integrator", "NFE", "divergence", "NLL (nats)", "NLL − H, fmcore", f"NLL − H, {name}"],
              [(_solver(method, steps), ours.nfe, _divergence(divergence, probe), f"{entropy + ours.gap:.4f}",
                ours.cell(), _theirs(theirs, ours.nfe)) for method, steps, divergence, probe, ours, theirs in rows]),
        nll_note([(_solver(m, n), d, p, e) for m, n, d, p, e, _ in rows]),
        "### Time per likelihood evaluation",
        timing(pipe, meta, velocity, x[: scale.time_points], scale),
    ]
    return "\n\n".join(parts)


def timing(pipe: fmcore.Pipeline, meta: ModuleType | None, velocity: FieldVelocity, x: Tensor, scale: Scale) -> str:
    """Times per evaluation at a fixed NFE over the floor (NFE evaluations of the field and its
    divergence, hand-written) and against flow_matching, with a note."""
    cases = [(method, scale.time_nfe // stages, exact) for method, stages in STAGES.items() for exact in (True, False)]
    candidates: dict[str, Callable[[], object]] = {
        f"floor {exact}": partial(divergence_floor, velocity, x, scale.time_nfe, exact) for exact in (True, False)}
    for method, steps, exact in cases:
        divergence = "exact" if exact else "hutchinson"
        candidates[f"fmcore {method} {exact}"] = partial(pipe.log_prob, x, integrator=method, steps=steps,
                                                         divergence=divergence, seed=0, batch_size=len(x))
        if meta is not None:
            candidates[f"meta {method} {exact}"] = partial(meta.log_likelihood, velocity, x,
                                                           pipe.path.prior_log_prob, method, steps, exact)
    t = timed(candidates, scale.repeats)
    rows, versus, floors = [], [], []
    for method, steps, exact in cases:
        floor, ours, theirs = t[f"floor {exact}"], t[f"fmcore {method} {exact}"], t.get(f"meta {method} {exact}")
        floors.append(ours / floor)
        if theirs is not None:
            versus.append(ours / theirs)
        rows.append((_solver(method, steps), scale.time_nfe, "exact" if exact else "Hutchinson (Rademacher, 1)",
                     ratio(ours / floor), ratio(None if theirs is None else theirs / floor),
                     ratio(None if theirs is None else ours / theirs)))
    verdict = (f"flow_matching: {peers.why_not('flow_matching')}." if not versus else
               f"fmcore / flow_matching {min(versus):.2f}–{max(versus):.2f}: "
               + ("fmcore is faster in every case." if max(versus) < 1 else
                  f"fmcore is not faster in {sum(v >= 1 for v in versus)} of {len(versus)} cases."))
    return "\n\n".join([
        f"{len(x)} points, one solve per evaluation, median of {scale.repeats} interleaved repeats. The floor "
        "is NFE hand-written evaluations of the field and its divergence at a fixed point (D backward "
        "passes for the exact divergence, one for Hutchinson's).",
        table(["integrator", "NFE", "divergence", "fmcore / floor", "flow_matching / floor",
               "fmcore / flow_matching"], rows),
        f"fmcore takes {min(floors):.2f}–{max(floors):.2f}× the floor. {verdict}",
    ])


def divergence_floor(velocity: FieldVelocity, x: Tensor, calls: int, exact: bool) -> None:
    """``calls`` evaluations of ``u_t(x)`` and ``div u_t(x)`` at a fixed ``(x, t)``: ``D`` backward passes
    each (exact), or one vector–Jacobian product with a ±1 probe (Hutchinson)."""
    t = torch.full((x.shape[0],), 0.5)
    probe = torch.ones_like(x)
    for _ in range(calls):
        point = x.detach().requires_grad_(True)
        v = velocity(point, t)
        if exact:
            for i in range(x.shape[1]):
                torch.autograd.grad(v[:, i].sum(), point, retain_graph=i + 1 < x.shape[1])
        else:
            torch.autograd.grad(v, point, probe)


def nll_note(rows: list[tuple[str, str, str, Estimate]]) -> str:
    """How far each solver's exact-divergence NLL is from H, and the spread one Hutchinson probe adds."""
    close = sum(abs(e.gap) <= 2 * e.error for *_, e in rows)
    exact = ", ".join(f"{solver} {e.gap:+.2g}" for solver, d, _, e in rows if d == "exact")
    errors = {kind: [e.error for _, d, p, e in rows if (d if d == "exact" else p) == kind]
              for kind in ("exact", "rademacher", "gaussian")}
    spread = {kind: sum(v) / len(v) for kind, v in errors.items() if v}
    return (f"{close} of {len(rows)} estimates are within two standard errors of H. With the exact divergence "
            f"NLL − H is the solver's error: {exact}. One Hutchinson probe per point is unbiased but noisy: "
            f"the standard error of NLL − H is {spread.get('rademacher', math.nan):.2g} (Rademacher) and "
            f"{spread.get('gaussian', math.nan):.2g} (Gaussian) nats, against {spread['exact']:.2g} with the "
            "exact divergence; more points or probes shrink it.")


def _estimate(pipe: fmcore.Pipeline, true: Tensor, solve: Callable[[], Tensor]) -> Estimate:
    nfe, log_p = counted(pipe.network, solve)
    gap, error = _mean_and_error(true - log_p.double())
    return Estimate(gap, error, nfe)


def _mean_and_error(values: Tensor) -> tuple[float, float]:
    """Mean and its standard error ``std / √n``."""
    return float(values.mean()), float(values.std() / math.sqrt(values.numel()))


def _solver(method: str, steps: int | None) -> str:
    return method if steps is None else f"{method}, {steps} steps"


def _divergence(divergence: str, probe: str) -> str:
    return "exact" if divergence == "exact" else f"Hutchinson ({probe.capitalize()}, 1)"


def _theirs(estimate: Estimate | None, nfe: int) -> str:
    if estimate is None:
        return "—"
    return estimate.cell() if estimate.nfe == nfe else f"{estimate.cell()} (NFE {estimate.nfe})"


if __name__ == "__main__":
    from benchmarks.__main__ import run_alone

    run_alone("likelihood")
