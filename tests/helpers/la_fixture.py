"""Lines of a tiny LA keys folder in the official layout, and a tiny labelled data dir (shared by
the metrics tests)."""
from __future__ import annotations

from pathlib import Path

from spoofcm.data.datadir import write_data_dir


CM_LINES = [
    "LA_0001 T1 none - bonafide bonafide notrim eval",
    "LA_0001 T2 none - A07 spoof notrim eval",
    "LA_0002 T3 alaw sin_tx bonafide bonafide notrim eval",
    "LA_0002 T4 alaw sin_tx A08 spoof notrim eval",
    "LA_0003 T5 none - A08 spoof notrim progress",
    "LA_0003 T6 none - bonafide bonafide notrim eval",
]
SCORES = ["T1 2.0", "T2 -1.0", "T3 1.5", "T4 0.5", "T5 0.0", "T6 0.7"]
ASV_LINES = [
    "LA_0001 T1 none - bonafide target notrim eval",
    "LA_0002 T1 none - bonafide nontarget notrim eval",
    "LA_0001 T2 none - A07 spoof notrim eval",
    "LA_0002 T3 alaw sin_tx bonafide target notrim eval",
    "LA_0001 T3 alaw sin_tx bonafide nontarget notrim eval",
    "LA_0002 T4 alaw sin_tx A08 spoof notrim eval",
]
ASV_SCORES = ["LA_0001 T1 3.0", "LA_0002 T1 -2.0", "LA_0001 T2 1.0", "LA_0002 T3 2.5",
              "LA_0001 T3 0.0", "LA_0002 T4 1.0"]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))
    return path



def alternating_data_dir(path: Path, n: int = 20) -> Path:
    """A data dir of ``n`` utterances u00…, bona fide at even and spoof (A01) at odd indices."""
    utts = [f"u{i:02d}" for i in range(n)]
    lab = {u: "bonafide" if i % 2 == 0 else "spoof" for i, u in enumerate(utts)}
    write_data_dir(path, wav={u: f"/x/{u}.wav" for u in utts}, utt2spk={u: "s" for u in utts},
                   utt2label=lab, utt2attack={u: "-" if lab[u] == "bonafide" else "A01"
                                              for u in utts}, utt2cond={u: "-" for u in utts})
    return path
