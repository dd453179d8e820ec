"""Song et al.'s variance-exploding (VE) path."""

from __future__ import annotations

import math

import attrs
import torch
from attrs.validators import gt
from torch import Tensor

from fmcore import Coefficients, GaussianPath, setting


@attrs.frozen
class VEPath(GaussianPath):
    """Variance exploding: α_t = 1, σ_t = σ_min (σ_max/σ_min)^(1 − t); prior N(0, σ_max² I).

    σ̇ = −log(σ_max/σ_min) σ. The path runs on [0, 1] and both ends are approximate: at t = 0,
    α/σ = 1/σ_max (0.02 for the defaults) and the prior ignores the mean z; at t = 1, σ = σ_min.
    """

    sigma_min: float = setting(0.01, "σ at the data end t = 1, > 0", validator=gt(0))
    sigma_max: float = setting(50.0, "σ at the noise end t = 0 (the prior's std), > sigma_min",
                               validator=gt(0))

    def __attrs_post_init__(self) -> None:
        if self.sigma_max <= self.sigma_min:
            raise ValueError(f"sigma_max ({self.sigma_max}) must exceed sigma_min ({self.sigma_min})")

    @property
    def prior_std(self) -> float:  # type: ignore[override]
        return self.sigma_max

    def schedule(self, t: Tensor) -> Coefficients:
        log_ratio = math.log(self.sigma_max / self.sigma_min)
        sigma = self.sigma_min * torch.exp(log_ratio * (1 - t))
        return Coefficients(alpha=torch.ones_like(t), sigma=sigma, d_alpha=torch.zeros_like(t),
                            d_sigma=-log_ratio * sigma)
