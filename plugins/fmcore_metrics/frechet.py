"""Metric ``fd``: the Fréchet distance between Gaussian fits of classifier features (FID's formula)."""

from __future__ import annotations

import attrs
import numpy as np
import torch
from torch import Tensor

from fmcore import EvalContext, EvalSetup, Measurement
from fmcore_metrics import classifier


def gaussian_fit(features: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``[F]`` and unbiased covariance ``[F, F]`` of ``features`` ``[n, F]``, as float64 arrays."""
    x = features.double()
    return x.mean(0).numpy(), torch.cov(x.T).reshape(x.shape[1], x.shape[1]).numpy()


def frechet_distance(mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray) -> float:
    """``d² = ‖μ_a − μ_b‖² + Tr(Σ_a + Σ_b − 2 (Σ_a Σ_b)^{1/2})``, the squared 2-Wasserstein distance
    between ``N(μ_a, Σ_a)`` and ``N(μ_b, Σ_b)``. The square root is scipy's ``sqrtm``, real part (a
    rounding-size imaginary part appears for singular covariances); the result is clipped at 0."""
    from scipy.linalg import sqrtm

    root = np.real(sqrtm(cov_a @ cov_b))
    value = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(root)
    return max(float(value), 0.0)


@attrs.frozen
class FD:
    """Fréchet distance of samples and data in the features of a classifier of the data (images)."""

    def unsupported(self, setup: EvalSetup) -> str | None:
        return classifier.unsupported(setup) or (None if setup.n >= 2 else "a covariance needs at least 2 points")

    def compute(self, context: EvalContext) -> list[Measurement]:
        model = classifier.classifier_for(context)
        value = frechet_distance(*gaussian_fit(model.features(context.samples)),
                                 *gaussian_fit(model.features(context.data)))
        return [Measurement("fd", value, "", f"Fréchet distance d² between Gaussian fits of the "
                            f"{classifier.FEATURES} features of a classifier trained on the data, samples "
                            "against reference data (lower is better)"),
                model.accuracy_measurement()]
