"""A straightforward reference scorer written for the benchmark, shaped like the organisers'
approach: parse every column into string arrays, then for every table cell select trials with
string masks, concatenate bona fide and spoof scores, re-sort them (stable), and build the DET
curve, EER and min t-DCF; C0/C1/C2 likewise per cell from the ASV trials. No shared code with
spoofcm.metrics, so agreement between the two is a real check.
"""
from __future__ import annotations

import numpy as np

LA_ROWS = [f"A{i:02d}" for i in range(7, 20)]
LA_COLS = ["none", "alaw", "pstn", "g722", "ulaw", "gsm", "opus"]
DF_ROWS = ["traditional_vocoder", "waveform_concatenation", "neural_vocoder_autoregressive",
           "neural_vocoder_nonautoregressive", "unknown"]
DF_COLS = ["nocodec", "low_mp3", "high_mp3", "low_m4a", "high_m4a", "low_ogg", "high_ogg",
           "mp3m4a", "oggm4a"]
P_SPOOF, P_TAR, P_NON, C_MISS, C_FA, C_FA_SPOOF = 0.05, 0.9405, 0.0095, 1.0, 10.0, 10.0


def read_table(path):
    with open(path) as fh:
        rows = [line.split() for line in fh]
    return np.array(rows)


def det(target, nontarget):
    n_t, n_n = target.size, nontarget.size
    scores = np.concatenate((target, nontarget))
    labels = np.concatenate((np.ones(n_t), np.zeros(n_n)))
    idx = np.argsort(scores, kind="mergesort")
    labels = labels[idx]
    tar_sums = np.cumsum(labels)
    non_sums = n_n - (np.arange(1, n_t + n_n + 1) - tar_sums)
    frr = np.concatenate(([0.0], tar_sums / n_t))
    far = np.concatenate(([1.0], non_sums / n_n))
    thr = np.concatenate(([scores[idx[0]] - 0.001], scores[idx]))
    return frr, far, thr


def eer(target, nontarget):
    frr, far, thr = det(target, nontarget)
    i = np.argmin(np.abs(frr - far))
    return np.mean((frr[i], far[i])), thr[i]


def c012(tar, non, spoof):
    if tar.size == 0 or non.size == 0 or spoof.size == 0:
        return None
    _, t = eer(tar, non)
    p_miss, p_fa, p_fa_spoof = np.sum(tar < t) / tar.size, np.sum(non >= t) / non.size, \
        np.sum(spoof >= t) / spoof.size
    c0 = P_TAR * C_MISS * p_miss + P_NON * C_FA * p_fa
    return c0, P_TAR * C_MISS - c0, P_SPOOF * C_FA_SPOOF * p_fa_spoof


def load_cm(key_path, score_path, track, subset):
    key = read_table(key_path)
    sc = read_table(score_path)
    value = dict(zip(sc[:, 0], sc[:, 1].astype(float)))
    if len(value) != key.shape[0] or any(t not in value for t in key[:, 1]):
        raise ValueError("score file does not match the key")
    key = key[key[:, 7] == subset]
    scores = np.array([value[t] for t in key[:, 1]])
    row_col = 4 if track == "LA" else 8
    return scores, key[:, 5], key[:, row_col], key[:, 2]


def compute_c012_table(asv_key_path, asv_score_path, subset):
    key = read_table(asv_key_path)
    scores = read_table(asv_score_path)[:, 2].astype(float)
    keep = key[:, 7] == subset
    key, scores = key[keep], scores[keep]
    out = {}
    for r in LA_ROWS + ["Pooled"]:
        for c in LA_COLS + ["Pooled"]:
            cm = np.ones(len(key), bool) if c == "Pooled" else key[:, 2] == c
            rm = np.ones(len(key), bool) if r == "Pooled" else key[:, 4] == r
            out[r, c] = c012(scores[cm & (key[:, 5] == "target")],
                             scores[cm & (key[:, 5] == "nontarget")],
                             scores[cm & rm & (key[:, 5] == "spoof")])
    return out


def evaluate(scores, labels, rows, cols, track, c012_table=None):
    row_names, col_names = (LA_ROWS, LA_COLS) if track == "LA" else (DF_ROWS, DF_COLS)
    out = {}
    for r in row_names + ["Pooled"]:
        for c in col_names + ["Pooled"]:
            cm = np.ones(scores.size, bool) if c == "Pooled" else cols == c
            rm = np.ones(scores.size, bool) if r == "Pooled" else rows == r
            bona = scores[cm & (labels == "bonafide")]
            spoof = scores[cm & rm & (labels == "spoof")]
            if bona.size == 0 or spoof.size == 0:
                out[r, c] = (None, None)
                continue
            frr, far, _ = det(bona, spoof)
            i = np.argmin(np.abs(frr - far))
            e = np.mean((frr[i], far[i]))
            t = None
            cc = None if c012_table is None else c012_table[r, c]
            if cc is not None:
                c0, c1, c2 = cc
                t = np.min((c0 + c1 * frr + c2 * far) / (c0 + min(c1, c2)))
            out[r, c] = (float(e), None if t is None else float(t))
    return out
