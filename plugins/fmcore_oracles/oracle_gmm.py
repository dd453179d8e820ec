"""Network ``oracle-gmm``: the exact field of a Gaussian mixture given in the settings."""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from fmcore import BuildContext, setting
from fmcore_oracles.gaussian_mixture import GaussianMixture
from fmcore_oracles.network import OracleNetwork, build_oracle

Rows = tuple[tuple[float, ...], ...]


@attrs.frozen
class OracleGMMSettings:
    """Exact field of a Gaussian mixture Σ_k w_k N(μ_k, Σ_k), untrained (no parameters).

    Give each component's spread as ``stds`` (one value: isotropic, ``D`` values: diagonal) or as
    full ``covariances``, which replace ``stds`` when given.
    """

    means: Rows = setting(((-2.0, 0.0), (2.0, 0.0)), "component means μ_k, [K, D]")
    stds: Rows = setting(((0.5,), (0.5,)), "standard deviations per component: [K, 1] isotropic or "
                         "[K, D] diagonal (unused when covariances are given)")
    covariances: tuple[Rows, ...] = setting((), "full covariance matrices Σ_k, [K, D, D], symmetric "
                                            "positive definite (empty: use stds)")
    weights: tuple[float, ...] = setting((), "mixture weights w_k, [K], positive, normalised "
                                         "(empty: equal weights)")

    def __attrs_post_init__(self) -> None:
        self.mixture()

    def mixture(self) -> GaussianMixture:
        """The mixture these settings describe; a ``ValueError`` names what is wrong."""
        means = _array("means", self.means)
        if means.ndim != 2 or 0 in means.shape:
            raise ValueError(f"means must be [K, D] with K, D ≥ 1, got shape {list(means.shape)}")
        weights = _array("weights", self.weights) if self.weights else None
        if self.covariances:
            return GaussianMixture(means, _array("covariances", self.covariances), weights)
        stds = _array("stds", self.stds)
        k, d = means.shape
        if stds.ndim != 2 or stds.shape[0] != k or stds.shape[1] not in (1, d):
            raise ValueError(f"stds must be [K, 1] or [K, D] = [{k}, 1] or [{k}, {d}] (one row per "
                             f"component of means), got shape {list(stds.shape)}")
        if not (stds > 0).all():
            raise ValueError(f"stds must be positive, got {stds.tolist()}")
        variances = stds.square()
        return GaussianMixture(means, variances[:, 0] if stds.shape[1] == 1 else variances, weights)


def _array(name: str, value: tuple) -> Tensor:
    try:
        return torch.tensor(value, dtype=torch.float64)
    except (ValueError, TypeError):
        raise ValueError(f"{name}: every row must have the same length") from None


def build_oracle_gmm(settings: OracleGMMSettings, context: BuildContext) -> OracleNetwork:
    return build_oracle("oracle-gmm", settings.mixture(), context)
