"""LFCC-GMM and CQCC-GMM baselines: two diagonal GMMs (bona fide, spoof), score = mean frame LLR.

As the ASVspoof 2021 GMM baselines: each class model is a 512-component diagonal-covariance
GMM trained with 10 EM iterations on the frames of that class's training utterances (CQCC-GMM:
every 10th spoof file); an utterance's score is the mean over its frames of
``log p(x | bona fide) - log p(x | spoof)`` (higher = bona fide).
EM runs in :mod:`spoofcm.models.gmm_em` (streamed, so all frames of a full training set fit).
Config (``model:``): ``n_components`` (512), ``max_iter`` (EM iterations, always all run: 10),
``max_frames`` (random frame subsample per class before EM; 0 = all frames, the baseline),
``init_frames`` (frames the k-means++ seeding sees, 100000), ``bonafide_every`` /
``spoof_every`` (use every n-th training file of the class, in data-dir order), ``reg_covar``,
``seed`` (default ``train.seed``), and ``features:`` front-end parameters over the official defaults
(:data:`spoofcm.features.lfcc.LFCC_GMM_2021`, :data:`spoofcm.features.cqcc.CQCC_GMM_2021`).
"""
from __future__ import annotations

import itertools
import json
from typing import Any, Callable, Iterable

import numpy as np
import torch
from sklearn.mixture import GaussianMixture

from spoofcm.errors import SpoofcmError
from spoofcm.features.cqcc import CQCC_GMM_2021, cqcc
from spoofcm.features.lfcc import LFCC_GMM_2021, lfcc
from spoofcm.models.gmm_em import fit_diag_gmm

CLASSES = ("bonafide", "spoof")
_GMM_ARRAYS = ("weights_", "means_", "covariances_", "precisions_cholesky_")


def _gmm_state(gmm: GaussianMixture) -> dict[str, Any]:
    return {name: torch.from_numpy(np.ascontiguousarray(getattr(gmm, name))) for name in _GMM_ARRAYS}


def _gmm_from_params(weights: np.ndarray, means: np.ndarray, variances: np.ndarray
                     ) -> GaussianMixture:
    """A fitted-looking sklearn GMM (for ``score_samples``) from diagonal parameters."""
    return _gmm_from_state({"weights_": weights, "means_": means, "covariances_": variances,
                            "precisions_cholesky_": 1.0 / np.sqrt(variances)}, len(weights))


def _gmm_from_state(state: dict[str, Any], n_components: int) -> GaussianMixture:
    gmm = GaussianMixture(n_components=n_components, covariance_type="diag")
    for name in _GMM_ARRAYS:
        if name not in state:
            raise SpoofcmError(f"GMM state lacks '{name}'")
        setattr(gmm, name, torch.as_tensor(state[name]).double().numpy())
    gmm.precisions_ = gmm.precisions_cholesky_ ** 2
    gmm.n_features_in_ = gmm.means_.shape[1]
    gmm.converged_ = True
    return gmm


class GMMSystem:
    """Two-class GMM back end over a frame-level front end (waves in, one score per wave out)."""

    is_neural = False
    inputs = ("wav",)

    def __init__(self, frontend: Callable[[np.ndarray], np.ndarray], feature_name: str,
                 n_components: int = 512, max_iter: int = 10, max_frames: int = 0,
                 init_frames: int = 100_000, reg_covar: float = 1e-6, seed: int = 0,
                 every: tuple[int, int] = (1, 1)) -> None:
        if min(every) < 1:
            raise SpoofcmError(f"GMM: bonafide_every / spoof_every must be >= 1, got {every}")
        self.frontend, self.feature_name = frontend, feature_name
        self.n_components, self.max_iter, self.max_frames = n_components, max_iter, max_frames
        self.init_frames, self.reg_covar, self.seed = init_frames, reg_covar, seed
        self.every = every
        self.gmms: dict[str, GaussianMixture] = {}

    def features(self, wave: np.ndarray) -> np.ndarray:
        return np.asarray(self.frontend(np.asarray(wave, dtype=np.float32)), dtype=np.float64)

    def _frames(self, waves: Iterable[np.ndarray], label: str, rng: np.random.Generator) -> np.ndarray:
        feats = [self.features(w).astype(np.float32) for w in waves]  # half the memory
        if not feats:
            raise SpoofcmError(f"GMM training: no {label} utterances")
        frames = np.concatenate(feats, axis=0)
        if frames.shape[0] < self.n_components:
            raise SpoofcmError(f"GMM training: {frames.shape[0]} {label} frames for "
                               f"{self.n_components} components; lower model.n_components")
        if self.max_frames and frames.shape[0] > self.max_frames:
            frames = frames[np.sort(rng.choice(frames.shape[0], self.max_frames, replace=False))]
        return frames

    def fit(self, bona_waves: Iterable[np.ndarray], spoof_waves: Iterable[np.ndarray]) -> "GMMSystem":
        """EM-train one GMM per class on the frames of every n-th wave of that class."""
        rng = np.random.default_rng(self.seed)
        for label, waves, step in zip(CLASSES, (bona_waves, spoof_waves), self.every):
            frames = self._frames(itertools.islice(waves, 0, None, step), label, rng)
            params = fit_diag_gmm(frames, self.n_components, self.max_iter, self.reg_covar,
                                  self.init_frames, seed=int(rng.integers(2 ** 31 - 1)))
            self.gmms[label] = _gmm_from_params(*params)
        return self

    def score_wave(self, wave: np.ndarray) -> float:
        """Mean frame log-likelihood ratio, bona fide minus spoof."""
        if set(self.gmms) != set(CLASSES):
            raise SpoofcmError("GMM system is not trained (call fit or load_state_dict)")
        feats = self.features(wave)
        llr = self.gmms["bonafide"].score_samples(feats) - self.gmms["spoof"].score_samples(feats)
        return float(llr.mean())

    def state_dict(self) -> dict[str, Any]:
        """Tensors plus plain types, loadable with ``torch.load(weights_only=True)``."""
        state: dict[str, Any] = {"feature": self.feature_name, "n_components": self.n_components}
        for label, gmm in self.gmms.items():
            state.update({f"{label}.{k}": v for k, v in _gmm_state(gmm).items()})
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("feature") != self.feature_name:  # the name carries every parameter
            raise SpoofcmError(f"GMM checkpoint was trained on '{state.get('feature')}' features, "
                               f"this configuration computes '{self.feature_name}' (set "
                               f"model.features to match, or retrain)")
        n_comp = int(state["n_components"])
        self.gmms = {label: _gmm_from_state({k.split(".", 1)[1]: v for k, v in state.items()
                                             if k.startswith(label + ".")}, n_comp)
                     for label in CLASSES}
        self.n_components = n_comp


def _build(feature_name: str, frontend: Callable[..., Any], defaults: dict[str, Any],
           model_cfg: dict[str, Any], cfg: dict[str, Any] | None,
           default_spoof_every: int = 1) -> GMMSystem:
    cfg = cfg or {}
    params = {**defaults, **(model_cfg.get("features", {}) or {})}
    seed = int(model_cfg.get("seed", (cfg.get("train") or {}).get("seed", 0)))
    # the front end's parameters travel in the checkpoint: scoring with others is an error
    name = f"{feature_name} {json.dumps(params, sort_keys=True)}"
    return GMMSystem(lambda wave: np.asarray(frontend(wave, **params)), name,
                     n_components=int(model_cfg.get("n_components", 512)),
                     max_iter=int(model_cfg.get("max_iter", 10)),
                     max_frames=int(model_cfg.get("max_frames", 0)),
                     init_frames=int(model_cfg.get("init_frames", 100_000)),
                     reg_covar=float(model_cfg.get("reg_covar", 1e-6)), seed=seed,
                     every=(int(model_cfg.get("bonafide_every", 1)),
                            int(model_cfg.get("spoof_every", default_spoof_every))))


def build_lfcc_gmm(model_cfg: dict[str, Any], cfg: dict[str, Any] | None = None) -> GMMSystem:
    """LFCC (57-d, ``lfcc_gmm_2021``) + two diagonal GMMs, all training files."""
    return _build("lfcc", lfcc, LFCC_GMM_2021, model_cfg, cfg)


def build_cqcc_gmm(model_cfg: dict[str, Any], cfg: dict[str, Any] | None = None) -> GMMSystem:
    """CQCC (60-d, ``cqcc_gmm_2021``) + two diagonal GMMs, every 10th spoof training file."""
    return _build("cqcc", cqcc, CQCC_GMM_2021, model_cfg, cfg, default_spoof_every=10)
