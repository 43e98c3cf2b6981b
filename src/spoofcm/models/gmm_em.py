"""EM for diagonal-covariance GMMs on more frames than fit in one responsibility matrix.

Why not scikit-learn's ``GaussianMixture.fit`` alone: it holds an (n_frames × n_components)
matrix and runs its k-means++ seeding over every frame, so the official 2021 setting (512
components on *all* training frames, millions of them) does not fit in memory or time. Here the
seeding runs on a random subsample (``init_frames``) and each EM iteration streams the frames in
chunks, accumulating the zeroth, first and second order statistics; one iteration is exactly
scikit-learn's E step + M step (same ``reg_covar`` rule), as a test checks.
"""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp
from sklearn.cluster import kmeans_plusplus

from spoofcm.errors import SpoofcmError

LOG_2PI = np.log(2.0 * np.pi)


def log_prob(x: np.ndarray, weights: np.ndarray, means: np.ndarray,
             variances: np.ndarray) -> np.ndarray:
    """(n, k) weighted log densities ``log w_k + log N(x | mu_k, diag var_k)`` via matmuls."""
    prec = 1.0 / variances
    quad = (x * x) @ prec.T - 2.0 * x @ (means * prec).T + np.sum(means * means * prec, axis=1)
    return (np.log(weights) - 0.5 * (x.shape[1] * LOG_2PI + np.sum(np.log(variances), axis=1))
            - 0.5 * quad)


def m_step(n_k: np.ndarray, s1: np.ndarray, s2: np.ndarray, reg_covar: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights, means, variances from the statistics (scikit-learn's diag M step)."""
    n_k = n_k + 10 * np.finfo(np.float64).eps
    means = s1 / n_k[:, None]
    variances = s2 / n_k[:, None] - means * means + reg_covar
    return n_k / n_k.sum(), means, np.maximum(variances, reg_covar)


def initial_params(frames: np.ndarray, n_components: int, reg_covar: float, init_frames: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """k-means++ seeds on a random subsample, each subsampled frame given to its nearest seed,
    one M step: every component starts with a data-driven variance (scikit-learn's own
    k-means++ init gives each only its seed frame, i.e. variance ``reg_covar``)."""
    sub = frames
    if init_frames and frames.shape[0] > init_frames:
        sub = frames[np.sort(rng.choice(frames.shape[0], init_frames, replace=False))]
    sub = sub.astype(np.float64)
    seed = int(rng.integers(2 ** 31 - 1))
    _, idx = kmeans_plusplus(sub, n_components, random_state=seed)
    centres = sub[idx]
    d2 = (np.sum(sub * sub, axis=1)[:, None] - 2.0 * sub @ centres.T
          + np.sum(centres * centres, axis=1))
    resp = np.zeros((sub.shape[0], n_components))
    resp[np.arange(sub.shape[0]), d2.argmin(axis=1)] = 1.0
    return m_step(resp.sum(0), resp.T @ sub, resp.T @ (sub * sub), reg_covar)


def em(frames: np.ndarray, params: tuple[np.ndarray, np.ndarray, np.ndarray], n_iter: int,
       reg_covar: float, chunk: int = 65536) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n_iter`` full EM iterations over ``frames`` (float32 or float64), streamed in chunks."""
    weights, means, variances = params
    for _ in range(n_iter):
        k, d = means.shape
        n_k, s1, s2 = np.zeros(k), np.zeros((k, d)), np.zeros((k, d))
        for start in range(0, frames.shape[0], chunk):
            x = frames[start:start + chunk].astype(np.float64)
            lp = log_prob(x, weights, means, variances)
            resp = np.exp(lp - logsumexp(lp, axis=1, keepdims=True))
            n_k += resp.sum(axis=0)
            s1 += resp.T @ x
            s2 += resp.T @ (x * x)
        weights, means, variances = m_step(n_k, s1, s2, reg_covar)
    return weights, means, variances


def fit_diag_gmm(frames: np.ndarray, n_components: int, n_iter: int, reg_covar: float = 1e-6,
                 init_frames: int = 100_000, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights (k,), means (k, d), variances (k, d) after ``n_iter`` EM iterations."""
    if frames.ndim != 2 or frames.shape[0] < n_components:
        raise SpoofcmError(f"GMM: {frames.shape[0]} frames for {n_components} components")
    rng = np.random.default_rng(seed)
    params = initial_params(frames, n_components, reg_covar, init_frames, rng)
    return em(frames, params, n_iter, reg_covar)
