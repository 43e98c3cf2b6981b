"""An imported AASIST release scored by our unchanged tools: spoofcm-score and spoofcm-infer
reproduce the official scores (official crop, logit[1]) on golden wav files; spoofcm-eval
calibrates it on a labelled set, after which spoofcm-score gives decisions."""
from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from spoofcm.bin.eval import main as eval_main
from spoofcm.bin.infer import main as infer_main
from spoofcm.bin.score import main as score_main
from spoofcm.data.datadir import read_map, write_data_dir
from spoofcm.infer.pretrained import import_release

LABELS = {"speech_64600": "spoof", "speech_long_100000": "spoof", "noise_64600": "bonafide",
          "chirp_80000": "bonafide", "speech_short_20000": "bonafide"}


@pytest.fixture(scope="module")
def setup(golden_dir, tmp_path_factory):
    """AASIST-L imported, the golden inputs as float wav files and as a labelled data dir."""
    golden = golden_dir / "aasist"
    if not (golden / "weights").is_dir():
        pytest.skip(f"AASIST golden data not found in {golden}")
    root = tmp_path_factory.mktemp("pretrained")
    import_release(golden / "weights" / "AASIST-L.pth", root / "exp")
    expected = json.loads((golden / "aasist_l" / "expected.json").read_text())
    wavs = {}
    for name in LABELS:
        wavs[name] = str(root / f"{name}.wav")
        sf.write(wavs[name], np.load(golden / "inputs" / f"{name}.npy"), 16000, subtype="FLOAT")
    write_data_dir(root / "data", wav=wavs, utt2spk={u: "spk" for u in wavs}, utt2label=LABELS,
                   utt2attack={u: "-" if lab == "bonafide" else "A01" for u, lab in LABELS.items()},
                   utt2cond={u: "-" for u in wavs})
    official = {name: logits[1] for name, logits in expected["logits"].items()}
    return root, wavs, official


@pytest.mark.slow   # four AASIST-L passes on 64,600+ samples
def test_score_reproduces_the_official_scores(setup, capsys):
    root, wavs, official = setup
    names = ["speech_short_20000", "speech_long_100000", "chirp_80000"]   # tiled, cut, cut
    assert score_main(["--exp", str(root / "exp"), *(wavs[n] for n in names), "--device", "cpu"]) == 0
    got = [float(line.split()[1]) for line in capsys.readouterr().out.splitlines()]
    assert np.abs(np.array(got) - [official[n] for n in names]).max() <= 1e-4
    # full-utterance scoring stays available and differs on a long file
    assert score_main(["--exp", str(root / "exp"), wavs["speech_long_100000"], "--mode", "full",
                       "--device", "cpu"]) == 0
    full = float(capsys.readouterr().out.split()[1])
    assert abs(full - official["speech_long_100000"]) > 1e-3


@pytest.mark.slow   # scores five files twice and fits a calibration (~25 s on 2 busy cores)
def test_infer_reproduces_them_and_eval_calibrates(setup, capsys):
    root, wavs, official = setup
    out = root / "scores"
    assert infer_main(["--exp", str(root / "exp"), "--data", str(root / "data"), "--out", str(out),
                       "--device", "cpu"]) == 0
    scores = {u: float(s) for u, s in read_map(out / "score.1.txt").items()}
    assert max(abs(scores[u] - official[u]) for u in LABELS) <= 1e-4
    # no threshold yet: raw scores only
    assert not (root / "exp" / "threshold.json").exists()
    calib = root / "exp" / "calibration.json"
    assert eval_main(["--scores", str(out / "score.1.txt"), "--data", str(root / "data"),
                      "--dev-scores", str(out / "score.1.txt"), "--dev-data", str(root / "data"),
                      "--calibration", str(calib), "--n-boot", "0", "--no-plots"]) == 0
    assert calib.is_file()
    capsys.readouterr()
    assert score_main(["--exp", str(root / "exp"), wavs["noise_64600"], wavs["speech_64600"],
                       "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    labels = [line.split()[2] for line in captured.out.splitlines()]
    assert labels == ["bonafide", "spoof"] and "calibrated" in captured.err
