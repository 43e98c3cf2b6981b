"""Result sets are atomic (issue 14, class 4): a folder is all of one spoofcm-eval run, an
unfinished run is invisible to stage 5's readers, and a full disk is one line (class 5)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from spoofcm.bin.eval import main as eval_main
from spoofcm.metrics import pipeline as ev
from spoofcm.metrics.results import collect

from helpers.la_fixture import alternating_data_dir


def _scores(path: Path, shift: float) -> Path:
    path.write_text("".join(f"u{i:02d} {(1 if i % 2 == 0 else -1) * (i + shift):.3f}\n"
                            for i in range(20)))
    return path


def _eval(tmp_path: Path, out: Path, shift: float, *extra: str) -> int:
    return eval_main(["--scores", str(_scores(tmp_path / f"s{shift}.txt", shift)),
                      "--data", str(alternating_data_dir(tmp_path / "dev")), "--out", str(out),
                      "--n-boot", "0", *extra])


def test_a_killed_run_leaves_the_earlier_set_whole(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "exp" / "x" / "results" / "dev"
    assert _eval(tmp_path, out, 0.0, "--no-plots") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # after per_attack.md of the new run was written
    monkeypatch.setattr(ev, "per_condition_markdown", killed)
    with pytest.raises(KeyboardInterrupt):
        ev.evaluate(ev.EvalInputs(scores=_scores(tmp_path / "new.txt", 5.0), track=None,
                                  data=tmp_path / "dev"), out_dir=out, n_boot=0, plots=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["dev"]   # no working folder left


def test_readers_skip_unfinished_sets_and_the_next_run_removes_them(tmp_path: Path) -> None:
    out = tmp_path / "exp" / "x" / "results" / "dev"
    assert _eval(tmp_path, out, 0.0, "--no-plots") == 0
    partial = out.parent / ".dev.partial-abc123"          # what kill -9 leaves
    partial.mkdir()
    (partial / "metrics.json").write_text(json.dumps({"pooled": {}}))
    entries = collect(tmp_path)
    assert [(e.eval_set) for e in entries] == ["dev"]
    assert _eval(tmp_path, out, 1.0, "--no-plots") == 0
    assert not partial.exists()


def test_full_disk_is_one_line_and_keeps_the_earlier_set(small_fs: Path, tmp_path: Path,
                                                        capsys) -> None:
    out = small_fs / "results" / "dev"
    assert _eval(tmp_path, out, 0.0, "--no-plots") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert _eval(tmp_path, out, 1.0) == 1               # the plots do not fit in 64 KiB
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(": no space left on device"), err
    assert f": error: {out}/" in err[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["dev"]
