"""Quality per NFE: fmcore's ODE integrators and time grids against torchdiffeq's fixed-grid methods
on the exact field of a sharp 2-D Gaussian mixture (no training), on CondOT and VP, in float64.

    python -m benchmarks.quality [--quick]

Every solver starts from the same noise and integrates the same oracle field (torchdiffeq gets it
as a plain function ``f(t, x)``). Errors are measured against a fine reference solve.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import attrs
import torch
from torch import Tensor

import fmcore
from benchmarks.markdown import table
from benchmarks.peers import SKIPPED
from benchmarks.timing import one_thread
from fmcore_metrics.wasserstein import wasserstein2
from fmcore_oracles import GaussianMixture, OracleField

PATHS = ("condot", "vp")
#: torchdiffeq's fixed-grid methods (``heun3``, 3 evaluations per step, fits no NFE of the list).
PEER_METHODS = ("euler", "midpoint", "heun2", "heun3", "rk4")
#: The NFE at which fmcore's best must have at most half the peers' best error, on both paths.
TARGET_NFES = (8, 16)
#: The log-SNR grid as it was before issue 7 (λ clipped at ±12 where a path reaches α = 0 or σ = 0).
OLD_LOGSNR = {"name": "logsnr", "min_logsnr": -12.0, "max_logsnr": 12.0}
#: Integrators added by issue 7, left out of the "before" column.
NEW_SOLVERS = ("unipc-1", "unipc-2", "unipc-3")


@attrs.frozen
class Sizes:
    """``nfes`` to compare at; ``points`` noise draws (and as many true samples for W2); the
    reference is RK4 with ``reference_steps`` uniform steps (checked against half as many);
    ``only`` limits fmcore's integrators and grids (empty: all of them)."""

    nfes: tuple[int, ...]
    points: int
    reference_steps: int
    only: tuple[str, ...] = ()


FULL = Sizes((4, 8, 16, 32, 64), 2000, 2000)
QUICK = Sizes((8, 16), 500, 1000)
SMOKE = Sizes((4,), 32, 40, ("euler", "dpm-solver-2m", "unipc-2", "uniform", "logsnr"))


@attrs.frozen
class Result:
    """One solver at one NFE on one path: its mean endpoint error ``‖x − x_ref‖`` and end states."""

    path: str
    nfe: int
    solver: str
    grid: str
    error: float
    x: Tensor = attrs.field(repr=False)


def section(quick: bool) -> str:
    return report(QUICK if quick else FULL)


def smoke() -> str:
    return report(SMOKE)


def report(sizes: Sizes) -> str:
    """The section, computed on one torch thread: its tensors are small (a few thousand 2-D points),
    and on a loaded machine a second thread makes each operation many times slower."""
    with one_thread():
        return _report(sizes)


def ring() -> GaussianMixture:
    """8 Gaussians of std 0.05 with centres on a circle of radius 2."""
    angles = torch.arange(8, dtype=torch.float64) * (math.pi / 4)
    return GaussianMixture(2 * torch.stack([angles.cos(), angles.sin()], 1), torch.full((8,), 0.05**2))


def fmcore_solvers() -> list[str]:
    """fmcore's own fixed-step ODE integrators: those with ``steps`` and ``grid`` and no ``diffusion``."""
    names = []
    for provided in fmcore.get_registry().all("integrator"):
        fields = {f.name for f in attrs.fields(provided.component.settings)}
        if provided.distribution == "fmcore" and {"steps", "grid"} <= fields and "diffusion" not in fields:
            names.append(provided.name)
    return names


def fmcore_grids() -> list[str]:
    """fmcore's time grids that need no settings (all but ``explicit``)."""
    return [p.name for p in fmcore.get_registry().all("time-grid")
            if p.distribution == "fmcore" and p.name != "explicit"]


def with_nfe(name: str, grid: dict, nfes: tuple[int, ...], field: OracleField) -> dict[int, fmcore.Integrator]:
    """For each NFE the integrator can make exactly, the one with that many field evaluations on
    ``field``: evaluations per step from a 16-step probe, then steps added while short (a step that
    skips its midpoint, as ``dpm-solver-2s`` does where ``λ = ±∞``, is made up for)."""
    probe = torch.zeros(1, 2, dtype=torch.float64)

    def build(steps: int) -> fmcore.Integrator:
        return fmcore.create("integrator", name, steps=steps, grid=grid)

    per_step = max(1, round(build(16).sample(field, probe).nfe / 16))
    found = {}
    for nfe in nfes:
        steps = max(1, nfe // per_step)
        while (count := build(steps).sample(field, probe).nfe) < nfe:
            steps += 1
        if count == nfe:
            found[nfe] = build(steps)
    return found


def fmcore_results(path: str, field: OracleField, x0: Tensor, reference: Tensor, nfes: tuple[int, ...],
                   solvers: list[str], grids: dict[str, dict]) -> Iterator[Result]:
    """Each solver on each grid (label → table) at each NFE it can make exactly, from ``x0``."""
    for name in solvers:
        for label, grid in grids.items():
            for nfe, solver in with_nfe(name, grid, nfes, field).items():
                x = solver.sample(field, x0).x
                yield Result(path, nfe, name, label, _error(x, reference), x)


def peer_results(path: str, field: OracleField, x0: Tensor, reference: Tensor,
                 nfes: tuple[int, ...]) -> Iterator[Result]:
    """torchdiffeq's ``odeint(f, x0, t, method=m)`` on the uniform grid of ``steps + 1`` times over
    the field's time range, for the methods whose counted NFE is exactly the target."""
    import torchdiffeq

    start, end = field.time_range
    calls = [0]

    def f(t: Tensor, x: Tensor) -> Tensor:
        calls[0] += 1
        return field.velocity(x, t.expand(x.shape[0]))

    def solve(method: str, steps: int, x: Tensor) -> Tensor:
        times = torch.linspace(start, end, steps + 1, dtype=torch.float64)
        return torchdiffeq.odeint(f, x, times, method=method)[-1]

    for method in PEER_METHODS:
        calls[0] = 0
        solve(method, 1, x0[:1])
        per_step = calls[0]
        for nfe in nfes:
            if nfe % per_step == 0:
                calls[0] = 0
                x = solve(method, nfe // per_step, x0)
                if calls[0] == nfe:
                    yield Result(path, nfe, f"torchdiffeq {method}", "uniform", _error(x, reference), x)


def _error(x: Tensor, reference: Tensor) -> float:
    return float((x - reference).norm(dim=1).mean())


def _report(sizes: Sizes) -> str:
    mixture = ring()
    x0 = torch.randn(sizes.points, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    truth = mixture.sample(sizes.points, generator=torch.Generator().manual_seed(1))
    solvers = [s for s in fmcore_solvers() if not sizes.only or s in sizes.only]
    grids = [g for g in fmcore_grids() if not sizes.only or g in sizes.only]
    current = {g: {"name": g} for g in grids}
    lines, summary, full, floors = [], [], [], []
    try:
        import torchdiffeq  # noqa: F401  (the peer)
        peer_missing = None
    except ImportError:
        peer_missing = SKIPPED
    for path_name in PATHS:
        field = OracleField(mixture, fmcore.create("path", path_name))
        rk4 = fmcore.create("integrator", "rk4", steps=sizes.reference_steps)
        reference = rk4.sample(field, x0).x
        half = fmcore.create("integrator", "rk4", steps=sizes.reference_steps // 2).sample(field, x0).x
        floor = wasserstein2(reference, truth)
        floors.append(floor)
        lines.append(f"- {path_name}: reference RK4 with {sizes.reference_steps} steps, "
                     f"{_error(half, reference):.1e} from RK4 with half as many; W2 of the reference "
                     f"endpoints to {sizes.points} true samples (the sampling floor): {floor:.4f}")
        ours = list(fmcore_results(path_name, field, x0, reference, sizes.nfes, solvers, current))
        old = [r for r in ours if r.solver not in NEW_SOLVERS and r.grid != "logsnr"]
        old += fmcore_results(path_name, field, x0, reference, sizes.nfes,
                              [s for s in solvers if s not in NEW_SOLVERS], {"logsnr±12": OLD_LOGSNR})
        theirs = [] if peer_missing else list(peer_results(path_name, field, x0, reference, sizes.nfes))
        for nfe in sizes.nfes:
            summary.append(_summary_row(path_name, nfe, ours, old, theirs, truth, peer_missing))
        full.append(_full_table(path_name, sizes.nfes, ours + theirs))
    header = ["path", "NFE", "fmcore best (method, grid)", "error", "W2", "peer best (torchdiffeq)",
              "error", "W2", "fmcore / peer", "before issue 7 (best, error)"]
    return "\n\n".join([
        "## Quality per NFE",
        f"`python -m benchmarks.quality{' --quick' if sizes is QUICK else ''}` — exact field of 8 "
        f"Gaussians (std 0.05, radius 2) on each path, float64, {sizes.points} noise draws shared by "
        "every solver. Error: mean endpoint distance ‖x − x_ref‖ to the reference solve; W2: exact "
        f"2-Wasserstein distance (POT `ot.emd2`) between the {sizes.points} end points and as many "
        "true samples, for the rows of the summary. fmcore: every built-in fixed-step ODE integrator × "
        f"every time grid ({', '.join(grids)}) at default settings, with the number of steps that "
        "makes exactly the NFE (a solver that cannot, e.g. RK4 at NFE 4·k+2, is left out); "
        "torchdiffeq: `odeint` with `euler`, `midpoint`, `heun2`, `rk4` on the uniform grid "
        "(`heun3` fits none of these NFE). \"Before\": the best without `unipc-*` and with the "
        "log-SNR grid clipped at ±12, as before issue 7.",
        "\n".join(lines),
        table(header, summary),
        _note(summary, peer_missing, max(floors)),
        "\n\n".join(full),
    ])


def _best(results: list[Result], nfe: int) -> Result | None:
    return min((r for r in results if r.nfe == nfe), key=lambda r: r.error, default=None)


def _summary_row(path: str, nfe: int, ours: list[Result], old: list[Result], theirs: list[Result],
                 truth: Tensor, peer_missing: str | None) -> list[str]:
    best, before, peer = _best(ours, nfe), _best(old, nfe), _best(theirs, nfe)
    assert best is not None and before is not None
    row = [path, str(nfe), f"{best.solver}, {best.grid}", f"{best.error:.2e}",
           f"{wasserstein2(best.x, truth):.4f}"]
    if peer is None:
        row += [peer_missing or "none fits", "", "", "skipped"]
    else:
        row += [peer.solver, f"{peer.error:.2e}", f"{wasserstein2(peer.x, truth):.4f}",
                f"{best.error / peer.error:.3f}"]
    return [*row, f"{before.solver}, {before.grid}: {before.error:.2e}"]


def _note(summary: list[list[str]], peer_missing: str | None, floor: float) -> str:
    if peer_missing:
        return f"Target (fmcore's best ≤ 0.5 × the peers' best at NFE 8 and 16): not measured ({peer_missing})."
    checked = [row for row in summary if int(row[1]) in TARGET_NFES]
    if not checked:
        return "Target (fmcore's best ≤ 0.5 × the peers' best at NFE 8 and 16): not measured at these NFE."
    missed = [f"{row[0]} at NFE {row[1]} ({row[8]}×)" for row in checked
              if row[8] == "skipped" or float(row[8]) > 0.5]
    ratios = ", ".join(f"{row[0]} NFE {row[1]}: {row[8]}×" for row in checked)
    verdict = "met" if not missed else "missed at " + "; ".join(missed)
    tightest = max(checked, key=lambda row: float("inf") if row[8] == "skipped" else float(row[8]))
    return (f"Target (fmcore's best ≤ 0.5 × the peers' best at NFE 8 and 16 on both paths): {verdict} "
            f"({ratios}). Why: most of the error is made in the last steps into the sharp modes. "
            "torchdiffeq steps uniformly in t; fmcore's exponential integrators step in log-SNR λ and "
            "integrate the linear part exactly, `unipc-*` add a corrector at no NFE, and the grids put "
            "steps where the flow bends. On CondOT the flow is nearly straight until the end and Euler "
            "on a uniform grid (which is DDIM there) is a strong baseline: the tightest case is "
            f"{tightest[0]} at NFE {tightest[1]} ({tightest[8]}×); from NFE 32 on CondOT, Runge–Kutta on "
            "fmcore's cosine grid is best and the gain over the peers is the grid alone. W2 sits near "
            f"its sampling floor (up to {floor:.3f} here) from NFE 8 on: at this many points it cannot "
            "tell these solvers apart, the endpoint error can.")


def _full_table(path: str, nfes: tuple[int, ...], results: list[Result]) -> str:
    cells: dict[tuple[str, str], dict[int, float]] = {}
    for r in results:
        cells.setdefault((r.solver, r.grid), {})[r.nfe] = r.error
    rows = [[solver, grid, *(f"{values[n]:.2e}" if n in values else "—" for n in nfes)]
            for (solver, grid), values in cells.items()]
    body = table(["solver", "grid", *(f"NFE {n}" for n in nfes)], rows)
    return f"<details><summary>All solvers on {path}: mean endpoint error</summary>\n\n{body}\n\n</details>"


if __name__ == "__main__":
    from benchmarks.__main__ import run_alone

    run_alone("quality")
