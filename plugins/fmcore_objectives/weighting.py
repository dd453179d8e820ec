"""Per-time loss weights ``w(t)`` shared by the objectives."""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from fmcore import Coefficients, GaussianPath, ProbabilityPath

Weighting = Literal["none", "sigma2", "snr", "likelihood"]
#: What each weighting means, for docs and errors.
MEANING = {
    "none": "w = 1",
    "sigma2": "w = σ_t²",
    "snr": "w = α_t²/σ_t² (signal-to-noise ratio)",
    "likelihood": "w = 2 λ̇_t σ_t² = g_t² with λ = log(α/σ) (Song et al.'s likelihood weighting)",
}


def unsupported_weighting(weighting: str, path: ProbabilityPath) -> str | None:
    """Why ``weighting`` cannot be used on ``path`` (``None`` when it can)."""
    if weighting == "none":
        return None
    if not isinstance(path, GaussianPath):
        return f"weighting '{weighting}' ({MEANING[weighting]}) needs a Gaussian path"
    if weighting in ("snr", "likelihood"):
        alpha = path.schedule(torch.tensor([path.t_min], dtype=torch.float64)).alpha
        if float(alpha.abs()) == 0.0:
            return (f"weighting '{weighting}' is infinite where α = 0, and α(t_min = {path.t_min}) = 0 "
                    f"on this path")
    return None


def gaussian_weight(weighting: str, c: Coefficients) -> Tensor:
    """``w(t)`` from the schedule at ``t``, shaped as its coefficients."""
    if weighting == "none":
        return torch.ones_like(c.sigma)
    if weighting == "sigma2":
        return c.sigma**2
    if weighting == "snr":
        return (c.alpha / c.sigma) ** 2
    # g² = 2 σ² λ̇ with λ̇ = α̇/α − σ̇/σ
    return 2 * c.sigma**2 * (c.d_alpha / c.alpha - c.d_sigma / c.sigma)
