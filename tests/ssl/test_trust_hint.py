"""A fairseq checkpoint whose pickle calls a function is refused with a hint of
--trust-checkpoint (issue 14, class 6), and nothing runs."""
from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import pytest

from spoofcm.errors import SpoofcmError
from spoofcm.ssl.fairseq_ckpt import read_checkpoint


class Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_refused_with_the_trust_hint(tmp_path: Path, tiny_ckpt: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    payload = pickle.dumps({"model": Evil(marker)}, protocol=2)
    with zipfile.ZipFile(tiny_ckpt) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, payload if item.filename.endswith("data.pkl")
                         else src.read(item.filename))
    with pytest.raises(SpoofcmError) as exc:
        read_checkpoint(path)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"{path}: ")
    assert "--trust-checkpoint" in msg
    assert not marker.exists()
