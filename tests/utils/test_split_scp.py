"""utils/split_scp: contiguous, balanced, order-keeping splits; speakers kept together."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.uthelp import run_util


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def parts(tmp_path: Path, n: int) -> list[Path]:
    return [tmp_path / "split" / f"wav.{j}.scp" for j in range(1, n + 1)]


@pytest.mark.parametrize("total, n", [(10, 3), (7, 7), (9, 2), (5, 1)])
def test_balanced_contiguous_in_order(tmp_path: Path, total: int, n: int) -> None:
    lines = [f"utt{i:03d} /audio/u{i}.flac" for i in range(total)]
    scp = write_lines(tmp_path / "wav.scp", lines)
    outs = parts(tmp_path, n)
    res = run_util(["split_scp", str(scp), *map(str, outs)], tmp_path)
    assert res.returncode == 0, res.stderr
    got = [p.read_text().splitlines() for p in outs]
    assert sum(got, []) == lines
    sizes = [len(g) for g in got]
    # Same convention as spoofcm.data.split.job_slice: the first (total % n) parts are longer.
    base, extra = divmod(total, n)
    assert sizes == [base + (1 if j < extra else 0) for j in range(n)]


def test_more_outputs_than_lines_is_an_error(tmp_path: Path) -> None:
    scp = write_lines(tmp_path / "wav.scp", ["a x", "b y"])
    res = run_util(["split_scp", str(scp), *map(str, parts(tmp_path, 3))], tmp_path)
    assert res.returncode == 1 and "3 outputs but only 2 lines" in res.stderr
    assert not (tmp_path / "split").exists()


def test_utt2spk_keeps_speakers_together_and_balances(tmp_path: Path) -> None:
    spk_sizes = {"s1": 3, "s2": 1, "s3": 4, "s4": 2, "s5": 2}  # 12 lines, 3 parts
    lines, u2s = [], []
    for spk, size in spk_sizes.items():
        for i in range(size):
            lines.append(f"{spk}-u{i} path")
            u2s.append(f"{spk}-u{i} {spk}")
    scp = write_lines(tmp_path / "wav.scp", lines)
    utt2spk = write_lines(tmp_path / "utt2spk", u2s)
    outs = parts(tmp_path, 3)
    res = run_util(["split_scp", "--utt2spk", str(utt2spk), str(scp), *map(str, outs)],
                   tmp_path)
    assert res.returncode == 0, res.stderr
    got = [p.read_text().splitlines() for p in outs]
    assert sum(got, []) == lines
    speakers = [{line.split("-")[0] for line in g} for g in got]
    assert all(not (a & b) for i, a in enumerate(speakers) for b in speakers[i + 1:])
    assert [len(g) for g in got] == [4, 4, 4]


def test_utt2spk_errors(tmp_path: Path) -> None:
    scp = write_lines(tmp_path / "wav.scp", ["a-1 p", "b-1 p", "a-2 p"])
    utt2spk = write_lines(tmp_path / "utt2spk", ["a-1 a", "a-2 a", "b-1 b"])
    res = run_util(["split_scp", "--utt2spk", str(utt2spk), str(scp),
                    *map(str, parts(tmp_path, 2))], tmp_path)
    assert res.returncode == 1 and "speaker 'a' are not contiguous" in res.stderr
    scp = write_lines(tmp_path / "wav.scp", ["a-1 p", "a-2 p", "c-1 p"])
    res = run_util(["split_scp", "--utt2spk", str(utt2spk), str(scp),
                    *map(str, parts(tmp_path, 2))], tmp_path)
    assert res.returncode == 1 and "no speaker for utterance 'c-1'" in res.stderr
    scp = write_lines(tmp_path / "wav.scp", ["a-1 p", "a-2 p"])
    res = run_util(["split_scp", "--utt2spk", str(utt2spk), str(scp),
                    *map(str, parts(tmp_path, 2))], tmp_path)
    assert res.returncode == 1 and "only 1 speakers" in res.stderr
