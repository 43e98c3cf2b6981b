"""Streamed diagonal-GMM EM: each iteration equals scikit-learn's, whatever the chunk size."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.mixture import GaussianMixture

from spoofcm.errors import SpoofcmError
from spoofcm.models.gmm_em import em, fit_diag_gmm, initial_params, log_prob


def data(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, (5, 3))
    return np.concatenate([c + rng.normal(0, 0.5 + i / 4, (400, 3)) for i, c in enumerate(centres)])


def test_em_iterations_equal_sklearn_and_do_not_depend_on_chunks():
    x = data()
    init = initial_params(x, 5, 1e-6, 0, np.random.default_rng(0))
    w, mu, var = em(x, init, 3, 1e-6, chunk=97)
    ref = GaussianMixture(5, covariance_type="diag", max_iter=3, tol=0.0, reg_covar=1e-6,
                          weights_init=init[0], means_init=init[1], precisions_init=1 / init[2])
    with pytest.warns(Warning):  # 3 iterations do not "converge" with tol 0
        ref.fit(x)
    np.testing.assert_allclose(w, ref.weights_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(mu, ref.means_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(var, ref.covariances_, rtol=1e-7, atol=1e-10)
    whole = em(x, init, 3, 1e-6, chunk=10 ** 6)
    for a, b in zip(whole, (w, mu, var)):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    lp = log_prob(x, w, mu, var)
    ref_lp = ref._estimate_weighted_log_prob(x)
    np.testing.assert_allclose(lp, ref_lp, rtol=1e-9, atol=1e-9)


def test_fit_finds_the_clusters_from_a_seeding_subsample():
    x = data(1).astype(np.float32)
    w, mu, var = fit_diag_gmm(x, 5, 20, init_frames=300, seed=0)
    assert w.sum() == pytest.approx(1.0) and (var > 0).all()
    ll = GaussianMixture(5, covariance_type="diag", random_state=0).fit(x).score(x)
    ours = logsumexp(log_prob(x.astype(np.float64), w, mu, var), axis=1).mean()
    assert ours > ll - 0.05                     # as good a fit as scikit-learn's own
    with pytest.raises(SpoofcmError, match="frames for"):
        fit_diag_gmm(x[:3], 5, 1)
