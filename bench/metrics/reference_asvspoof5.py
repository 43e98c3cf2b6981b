"""A straightforward ASVspoof 5 reference scorer written for the benchmark, shaped like the
organisers' package: parse rows into Python dicts, join score and key by trial, select classes
with string masks, stable-sort for each metric, scan the DCF over the DET points in a Python
loop, and scan every CM point for every ASV point for the t-EER (quadratic). No shared code
with spoofcm.metrics, so agreement between the two is a real check.
"""
from __future__ import annotations

import numpy as np

P_SPOOF, C_MISS, C_FA = 0.05, 1.0, 10.0
P_TAR, P_NON, C_FA_SPOOF = 0.95 * 0.99, 0.95 * 0.01, 10.0
ASV_P_MISS, ASV_P_FA, ASV_P_FA_SPOOF = 0.01880141010575793, 0.01881016557566423, 0.4607082907604729


def read_rows(path):
    with open(path) as fh:
        header = fh.readline().split()
        return header, [line.split() for line in fh]


def det(pos, neg):
    scores = np.concatenate((pos, neg))
    labels = np.concatenate((np.ones(pos.size), np.zeros(neg.size)))
    labels = labels[np.argsort(scores, kind="mergesort")]
    pos_sums = np.cumsum(labels)
    neg_left = neg.size - (np.arange(1, scores.size + 1) - pos_sums)
    return (np.concatenate(([0.0], pos_sums / pos.size)),
            np.concatenate(([1.0], neg_left / neg.size)))


def track1(score_path, key_path):
    _, srows = read_rows(score_path)
    _, krows = read_rows(key_path)
    score = {r[0]: float(r[1]) for r in srows}
    scores = np.array([score[r[0]] for r in krows])
    labels = np.array([r[1] for r in krows])
    bona, spoof = scores[labels == "bonafide"], scores[labels == "spoof"]
    frr, far = det(bona, spoof)
    i = np.argmin(np.abs(frr - far))
    eer = (frr[i] + far[i]) / 2
    best = float("inf")
    for k in range(frr.size):
        best = min(best, C_MISS * frr[k] * (1 - P_SPOOF) + C_FA * far[k] * P_SPOOF)
    norm = min(C_MISS * (1 - P_SPOOF), C_FA * P_SPOOF)
    tau = -np.log(C_MISS * (1 - P_SPOOF) / (C_FA * P_SPOOF))
    act = (C_MISS * (1 - P_SPOOF) * np.mean(bona < tau) + C_FA * P_SPOOF * np.mean(spoof >= tau))
    cllr = 0.5 * (np.mean(np.log1p(np.exp(-bona))) + np.mean(np.log1p(np.exp(spoof)))) / np.log(2)
    return {"min_dcf": best / norm, "eer": float(eer), "cllr": float(cllr),
            "act_dcf": float(act / norm)}


def curves3(tar, non, spf):
    scores = np.concatenate((tar, non, spf))
    lab = np.concatenate((np.zeros(tar.size), np.ones(non.size), 2 * np.ones(spf.size)))
    lab = lab[np.argsort(scores, kind="mergesort")]
    return (np.concatenate(([0.0], np.cumsum(lab == 0) / tar.size)),
            np.concatenate(([1.0], 1 - np.cumsum(lab == 1) / non.size)),
            np.concatenate(([1.0], 1 - np.cumsum(lab == 2) / spf.size)))


def track2(score_path, key_path):
    _, srows = read_rows(score_path)
    _, krows = read_rows(key_path)
    key = {(r[0], r[1]): (r[2], r[3]) for r in krows}
    cm = np.array([float(r[2]) for r in srows])
    asv = np.array([float(r[3]) for r in srows])
    sasv = np.array([float(r[4]) for r in srows])
    cm_lab = np.array([key[(r[0], r[1])][0] for r in srows])
    asv_lab = np.array([key[(r[0], r[1])][1] for r in srows])
    classes = ("target", "nontarget", "spoof")
    # a-DCF
    miss, fa_non, fa_spf = curves3(*(sasv[asv_lab == c] for c in classes))
    adcf = C_MISS * P_TAR * miss + C_FA * P_NON * fa_non + C_FA_SPOOF * P_SPOOF * fa_spf
    adcf = float(np.min(adcf / min(C_FA * P_NON + C_FA_SPOOF * P_SPOOF, C_MISS * P_TAR)))
    # min t-DCF with the organisers' fixed ASV rates
    pm, pf = det(cm[cm_lab == "bonafide"], cm[cm_lab == "spoof"])
    c0 = P_TAR * C_MISS * ASV_P_MISS + P_NON * C_FA * ASV_P_FA
    c1, c2 = P_TAR * C_MISS - c0, P_SPOOF * C_FA_SPOOF * ASV_P_FA_SPOOF
    tdcf = float(np.min((c0 + c1 * pm + c2 * pf) / (c0 + min(c1, c2))))
    # concurrent t-EER, rho = 0.5, every CM point for every ASV point
    a, b, c = curves3(*(asv[asv_lab == k] for k in classes))
    m, f = det(cm[asv_lab != "spoof"], cm[asv_lab == "spoof"])
    best, teer = float("inf"), float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(a.size):
            if not a[i] < 0.5 * b[i] + 0.5 * c[i]:
                continue
            gap = (m + (1 - m) * a[i]) - (0.5 * (1 - m) * b[i] + 0.5 * f * c[i])
            j = int(np.argmin(np.abs(gap)))
            crit = abs(b[i] / c[i] - f[j] / (1 - m[j]))
            if crit < best:
                best, teer = crit, float(c[i] * f[j] * 100)
    return {"min_a_dcf": adcf, "min_tdcf": tdcf, "t_eer_percent": teer}
