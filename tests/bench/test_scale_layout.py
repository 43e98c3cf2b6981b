"""bench/scale/layout.py: official layouts at a fraction of the full counts, read by stage 0."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from spoofcm.data.asvspoof import CorpusRoots, prepare_set
from spoofcm.metrics.keys import asv_key_path, default_asv_scores, read_asv, read_cm_key

ROOT = Path(__file__).resolve().parents[2]


def _layout():
    spec = importlib.util.spec_from_file_location("layout", ROOT / "bench/scale/layout.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def mini_root() -> Path:
    root = Path(os.environ.get("SPOOFCM_TINY_CORPUS", "/work/corpus/tiny"))
    if not (root / ".done").is_file():
        pytest.skip(f"no generated tiny corpus at {root} (set SPOOFCM_TINY_CORPUS)")
    return root


@pytest.mark.slow
def test_fraction_keeps_every_group_and_stage0_reads_it(tmp_path, mini_root):
    layout = _layout()
    pool = layout.make_pool(mini_root, tmp_path / "pool", per_label=5)
    counts = layout.write_corpus(tmp_path / "c", 0.001, pool, seed=0)
    # ceil(0.1 % of each (label, attack) group): train 3 + 6 x 4, dev 3 + 6 x 4, ...
    assert counts["train"] == 27 and counts["dev"] == 27
    assert counts["eval_la21"] == 19 + 13 * 13 and counts["eval_df21"] == 23 + 590
    c = tmp_path / "c"
    roots = CorpusRoots(str(c / "LA"), str(c / "ASVspoof2021_LA_eval"),
                        str(c / "ASVspoof2021_DF_eval"), str(c / "keys"))
    for name in ("train", "dev", "eval_la21", "eval_df21"):
        data, dropped = prepare_set(name, roots, tmp_path / "data" / name, progress=False)
        assert len(data) == counts[name] and dropped == 0
    df = read_cm_key(c / "keys", "DF")
    assert set(df.row_names) <= {"traditional_vocoder", "waveform_concatenation", "unknown",
                                 "neural_vocoder_autoregressive", "neural_vocoder_nonautoregressive"}
    assert len(df.col_names) == 9 and set(df.subset_names) == {"eval", "progress", "hidden"}
    la = read_cm_key(c / "keys", "LA")
    asv = read_asv(asv_key_path(c / "keys"), default_asv_scores(c / "keys"), la)
    assert len(asv) == counts["asv_la21"] > 0
    # hard links, not copies: every flac shares its inode with a pool file
    flacs = list((c / "ASVspoof2021_DF_eval/flac").iterdir())
    assert {f.stat().st_ino for f in flacs} <= {p.stat().st_ino for ps in pool.values() for p in ps}
