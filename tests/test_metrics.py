"""The built-in metrics against brute force and closed forms: W2, sliced W2, MMD, NLL, FD, class accuracy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist

import fmcore
from fmcore import EvalContext, EvalSetup, FmcoreError, create
from fmcore.evaluation.reference import reference_points
from fmcore_metrics import classifier
from fmcore_metrics.frechet import frechet_distance, gaussian_fit
from fmcore_metrics.mmd import BLOCK, median_distance, mmd2_unbiased
from fmcore_metrics.sliced import sliced_wasserstein2
from fmcore_metrics.wasserstein import wasserstein2

ORACLE = "examples/oracle-gmm.toml"


def _normal(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _context(samples, data, pipeline=None, labels=None, cache=None, setup=None) -> EvalContext:
    setup = setup or EvalSetup(len(samples), tuple(samples.shape[1:]))
    return EvalContext(setup, samples, data, labels, pipeline, nfe=1, seconds=1.0, seed=0, cache=cache)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_w2_is_the_best_permutation_on_tiny_sets(seed):
    a, b = _normal(6, 2, seed=seed), _normal(6, 2, seed=seed + 10) + 0.3
    cost = torch.cdist(a, b).square()
    best = min(float(cost[range(6), list(p)].mean()) for p in itertools.permutations(range(6)))
    assert wasserstein2(a, b) == pytest.approx(math.sqrt(best), rel=1e-9)


def test_w2_of_a_shifted_point_set_is_the_shift():
    a = _normal(300, 3, seed=3)
    shift = torch.tensor([1.5, -2.0, 0.0], dtype=torch.float64)
    assert wasserstein2(a, a + shift) == pytest.approx(2.5, rel=1e-9)
    assert wasserstein2(a.view(300, 1, 3), (a + shift).view(300, 1, 3)) == pytest.approx(2.5, rel=1e-9)


def test_w2_refuses_more_points_than_its_limit():
    w2 = create("metric", "w2")
    assert w2.unsupported(EvalSetup(10_000, (2,))) is None
    assert "at most 10000 points, not n = 10001" in w2.unsupported(EvalSetup(10_001, (2,)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sliced_w2_is_at_most_w2(seed):
    a, b = _normal(200, 4, seed=seed), 1.3 * _normal(200, 4, seed=seed + 10) + 0.2
    sliced = sliced_wasserstein2(a, b, 64, torch.Generator().manual_seed(seed))
    assert 0 < sliced <= wasserstein2(a, b)


def test_sliced_w2_in_one_dimension_is_exact_and_converges_to_the_known_value():
    a, b = _normal(500, 1, seed=4), 2 * _normal(500, 1, seed=5)
    assert sliced_wasserstein2(a, b, 3, torch.Generator()) == pytest.approx(wasserstein2(a, b), rel=1e-9)
    # W2(N(0, 1), N(0, 2²)) = |1 − 2| = 1: the empirical distance approaches it as n grows
    errors = [abs(sliced_wasserstein2(_normal(n, 1, seed=6), 2 * _normal(n, 1, seed=7), 1, torch.Generator()) - 1)
              for n in (100, 20_000)]
    assert errors[1] < 0.03 and errors[1] < errors[0]


def test_sliced_w2_of_a_shift_averages_its_projections():
    """A shift m projects to θᵀm on every slice, so SW₂² = E_θ (θᵀm)² = ‖m‖²/d."""
    a = _normal(100, 3, seed=8)
    shift = torch.tensor([3.0, 0.0, 0.0], dtype=torch.float64)
    value = sliced_wasserstein2(a, a + shift, 20_000, torch.Generator().manual_seed(0))
    assert value == pytest.approx(3 / math.sqrt(3), rel=0.03)


def test_mmd_matches_the_dense_formula_across_blocks():
    a, b = _normal(BLOCK + 50, 2, seed=9), _normal(300, 2, seed=10) + 0.5
    bandwidths = [0.5, 2.0]

    def gram(x, y):
        d2 = torch.cdist(x, y).square()
        return sum(torch.exp(-d2 / (2 * h * h)) for h in bandwidths)

    m, n = len(a), len(b)
    kxx, kyy = gram(a, a), gram(b, b)
    want = ((kxx.sum() - kxx.diagonal().sum()) / (m * (m - 1)) + (kyy.sum() - kyy.diagonal().sum()) / (n * (n - 1))
            - 2 * gram(a, b).mean())
    assert mmd2_unbiased(a, b, bandwidths) == pytest.approx(float(want), rel=1e-9, abs=1e-12)


def test_median_heuristic_is_the_median_pairwise_distance():
    x = _normal(300, 3, seed=11)
    assert median_distance(x) == pytest.approx(float(np.median(pdist(x.numpy()))), rel=1e-12)


def test_unbiased_mmd_is_centred_on_zero_for_one_distribution_and_positive_for_two():
    mmd = create("metric", "mmd")
    same = np.array([mmd.compute(_context(_normal(150, 2, seed=s), _normal(150, 2, seed=100 + s)))[0].value
                     for s in range(12)])
    apart = np.array([mmd.compute(_context(_normal(150, 2, seed=s) + 1.0, _normal(150, 2, seed=100 + s)))[0].value
                      for s in range(4)])
    assert (same < 0).any() and (same > 0).any()  # unbiased: no floor at zero
    assert abs(same.mean()) < 3 * same.std() / math.sqrt(len(same))
    assert apart.min() > 20 * same.std()


def test_nll_of_the_oracle_mixture_is_its_entropy():
    """The mixture ¼ N((−2, 0), 0.3²) + ¼ N((2, 0), 0.3²) + ½ N((0, 2), 0.5²) has well separated
    components, so H ≈ H(w) + Σ_k w_k log(2πe σ_k²) (two dimensions); the ODE likelihood of its own
    draws estimates H, and agrees with the exact density at the same points to integration error."""
    pipeline = fmcore.Pipeline.open(ORACLE)
    mixture = pipeline.config.network.settings.mixture()
    x = mixture.sample(1000, generator=torch.Generator().manual_seed(2)).float()
    nll = create("metric", "nll", points=1000).compute(_context(x, x, pipeline))[0]
    assert nll.name == "nll" and nll.unit == "nats"
    w, s = torch.tensor([0.25, 0.25, 0.5]), torch.tensor([0.3, 0.3, 0.5])
    entropy = float(-(w * w.log()).sum() + (w * torch.log(2 * math.pi * math.e * s**2)).sum())
    exact = -mixture.log_prob(pipeline.path, x.double(), 1.0)
    assert nll.value == pytest.approx(float(exact.mean()), abs=3e-3)  # rk4, 10 steps
    assert abs(nll.value - entropy) < 4 * float(exact.std()) / math.sqrt(len(x)) + 3e-3


def test_nll_reports_bits_per_dim_for_pixels():
    pipeline = fmcore.Pipeline.open(ORACLE)
    x = _normal(20, 2, seed=12).float()
    setup = EvalSetup(20, (2,), levels=256)
    nats, bits = create("metric", "nll", points=8).compute(_context(x, x, pipeline, setup=setup))
    assert (bits.name, bits.unit) == ("nll-bpd", "bits/dim")
    assert bits.value == pytest.approx((nats.value + 2 * math.log(128)) / (2 * math.log(2)), rel=1e-9)
    assert "8 reference points" in nats.summary


def test_frechet_distance_is_zero_for_identical_features_and_the_closed_form_for_gaussians():
    features = _normal(500, 6, seed=13) @ _normal(6, 6, seed=14)
    assert frechet_distance(*gaussian_fit(features), *gaussian_fit(features)) == pytest.approx(0, abs=1e-8)
    mean_a, mean_b = np.array([1.0, 0.0, 2.0]), np.array([0.0, 0.5, 2.0])
    va, vb = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    diagonal = np.sum((mean_a - mean_b) ** 2) + np.sum((np.sqrt(va) - np.sqrt(vb)) ** 2)
    assert frechet_distance(mean_a, np.diag(va), mean_b, np.diag(vb)) == pytest.approx(diagonal, rel=1e-9)
    # non-commuting covariances: Tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½) by eigendecompositions
    a, b = _normal(3, 3, seed=15).numpy(), _normal(3, 3, seed=16).numpy()
    cov_a, cov_b = a @ a.T + 0.1 * np.eye(3), b @ b.T + 0.1 * np.eye(3)

    def root(m):
        values, vectors = np.linalg.eigh(m)
        return vectors @ np.diag(np.sqrt(values)) @ vectors.T

    want = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root(root(cov_a) @ cov_b @ root(cov_a)))
    assert frechet_distance(mean_a, cov_a, mean_b, cov_b) == pytest.approx(want, rel=1e-7)


@pytest.fixture(scope="module")
def digits():
    """A pipeline on labelled digits (its untrained network is not used) and 400 reference digits."""
    pipeline = fmcore.Pipeline.from_config({"data": {"name": "digits"}, "network": {"name": "mlp", "width": 8}})
    return pipeline, reference_points(pipeline, 400, seed=0).batch


def test_the_classifier_knows_real_digits_and_is_cached(digits, tmp_path):
    pipeline, real = digits
    setup = EvalSetup(400, (1, 8, 8), num_classes=10, levels=17)
    context = _context(real.x, real.x, pipeline, real.cond, tmp_path, setup)
    accuracy, held_out = create("metric", "class-accuracy").compute(context)
    assert accuracy.name == "class-accuracy" and accuracy.value > 0.9
    assert held_out.name == "classifier-accuracy" and held_out.value > 0.9
    file = tmp_path / classifier.FILE
    written = file.stat().st_mtime_ns
    fd, again = create("metric", "fd").compute(context)  # the same classifier, read back
    assert file.stat().st_mtime_ns == written and again == held_out
    assert fd.name == "fd" and fd.value == pytest.approx(0, abs=1e-6)  # identical sets


def test_fd_tells_digits_from_noise(digits, tmp_path):
    pipeline, real = digits
    setup = EvalSetup(200, (1, 8, 8), num_classes=10, levels=17)
    other = reference_points(pipeline, 200, seed=1).batch.x
    fd = create("metric", "fd")
    close = fd.compute(_context(real.x[:200], other, pipeline, real.cond[:200], tmp_path, setup))[0].value
    noise = torch.rand(200, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    far = fd.compute(_context(noise, other, pipeline, real.cond[:200], tmp_path, setup))[0].value
    assert far > 10 * close


def test_image_metrics_need_labelled_images():
    for name in ("fd", "class-accuracy"):
        reason = create("metric", name).unsupported(EvalSetup(100, (2,)))
        assert reason.startswith("needs labelled image data [C, H, W]") and "[2], no classes" in reason
        assert create("metric", name).unsupported(EvalSetup(100, (1, 8, 8), num_classes=10)) is None


def test_a_metric_setting_is_validated_with_its_place():
    with pytest.raises(fmcore.ConfigError, match="divergence"):
        create("metric", "nll", divergence="approximate")
    with pytest.raises(FmcoreError, match="every bandwidth must be positive"):
        create("metric", "mmd", bandwidths=[1.0, 0.0])
