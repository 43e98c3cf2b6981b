"""The paper's Tables I-III (LA systems, ablations, DF systems): our mean ± sd over seeds beside
the published figures, which appear only in clearly labelled *reference* columns."""
from __future__ import annotations

from spoofcm.metrics.results import (MODELS, Entry, config_of, md_table, pooled, rows_of,
                                     seeds_of, systems)
from spoofcm.metrics.seedstats import fmt_stat, mean_sd

ABLATIONS = ("ssl_cbam_resnet18", "fusion_resnet18", "fusion_cbam_resnet18")
SRC_PAPER = "the paper"
SRC_2021 = "ASVspoof 2021 summary paper (as reported; not re-verified here)"
SRC_SSL = "Tak et al., Odyssey 2022 (as reported; not re-verified here)"
#: published reference figures: model -> track -> (EER %, min t-DCF or None, source)
PUBLISHED: dict[str, dict[str, tuple[float, float | None, str]]] = {
    "fusion_cbam_resnet18": {"LA": (4.12, 0.3008, SRC_PAPER), "DF": (5.34, None, SRC_PAPER)},
    "fusion_resnet18": {"DF": (3.90, None, SRC_PAPER)},
    "lfcc_gmm": {"LA": (19.30, 0.5758, SRC_2021), "DF": (25.25, None, SRC_2021)},
    "cqcc_gmm": {"LA": (15.62, 0.4974, SRC_2021), "DF": (25.56, None, SRC_2021)},
    "lfcc_lcnn": {"LA": (9.26, 0.3445, SRC_2021), "DF": (23.48, None, SRC_2021)},
    "rawnet2": {"LA": (9.50, 0.4257, SRC_2021), "DF": (22.38, None, SRC_2021)},
    "ssl_aasist": {"LA": (0.82, 0.2066, SRC_SSL), "DF": (2.85, None, SRC_SSL)},
}


def _published(model: str, track: str) -> tuple[str, str, str]:
    ref = PUBLISHED.get(model, {}).get(track)
    if ref is None:
        return "—", "—", ""
    eer, tdcf, src = ref
    return f"{eer:.2f}", ("—" if tdcf is None else f"{tdcf:.4f}"), src


def _track_rows(entries: list[Entry], system: str, track: str) -> list[Entry]:
    return [e for e in entries if e.system == system and e.track == track]


def seeds_cell(entries: list[Entry], system: str) -> str:
    """``3 (0, 1, 2)``; a one-seed system says so (and why, for a non-neural baseline); an
    imported release has no seed."""
    if any(e.pretrained for e in entries if e.system == system):
        return "— (pretrained release)"
    seeds = seeds_of(entries, system)
    ids = ", ".join("?" if s is None else str(s) for s in seeds)
    if len(seeds) > 1:
        return f"{len(seeds)} ({ids})"
    note = "1 seed, non-neural" if any(e.non_neural for e in entries if e.system == system) \
        else "1 seed"
    return f"{ids} ({note})"


def paper_table(entries: list[Entry], track: str) -> str:
    """Table I (LA) or III (DF): one row per model, and per system where a model has several."""
    rows = []
    for model in MODELS:
        mine = [s for s in systems(entries) if any(e.model == model for e in
                                                     _track_rows(entries, s, track))]
        p_eer, p_tdcf, src = _published(model, track)
        for system in mine or [None]:
            if system is None:
                row = [model, "", "", "not run"] + ([""] if track == "LA" else [])
            else:
                got = _track_rows(entries, system, track)
                row = [model, system, seeds_cell(entries, system),
                       fmt_stat(mean_sd(pooled(e, "eer") for e in got), "eer")]
                if track == "LA":
                    row.append(fmt_stat(mean_sd(pooled(e, "min_tdcf") for e in got), "min_tdcf"))
            row += [p_eer, p_tdcf] if track == "LA" else [p_eer]
            rows.append(row + [src, "" if system is None else config_of(entries, system)])
    head = ["model", "system", "seeds", "EER (%) ours"]
    head += ["min t-DCF ours", "EER (%) published", "min t-DCF published"] if track == "LA" \
        else ["EER (%) published"]
    return md_table(head + ["published source", "configuration"], rows)


def ablation_table(entries: list[Entry]) -> str:
    """Table II: the three fusion ablations on LA and DF (first system of each model)."""
    rows = []
    for model in ABLATIONS:
        system = next((s for s in systems(entries) if any(e.model == model for e in entries
                                                           if e.system == s)), None)
        cells = [model, "" if system is None else seeds_cell(entries, system)]
        for track in ("LA", "DF"):
            got = [] if system is None else _track_rows(entries, system, track)
            p_eer, p_tdcf, _ = _published(model, track)
            cells.append(fmt_stat(mean_sd(pooled(e, "eer") for e in got), "eer") if got
                         else "not run")
            if track == "LA":
                cells += [fmt_stat(mean_sd(pooled(e, "min_tdcf") for e in got), "min_tdcf"),
                          p_eer, p_tdcf]
            else:
                cells.append(p_eer)
        rows.append(cells)
    return md_table(["system", "seeds", "LA EER (%) ours", "LA min t-DCF ours", "LA EER (%) paper",
                   "LA min t-DCF paper", "DF EER (%) ours", "DF EER (%) paper"], rows)


def dev_table(entries: list[Entry]) -> str:
    """Dev EER (seen attacks) of every system: where model selection happened."""
    rows = []
    for system in systems(entries):
        got = rows_of(entries, system, "dev")
        if got:
            rows.append([system, seeds_cell(entries, system),
                         fmt_stat(mean_sd(pooled(e, "eer") for e in got), "eer")])
    return md_table(["system", "seeds", "dev EER (%)"], rows) if rows else ""
