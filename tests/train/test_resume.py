"""``--resume`` after a real kill continues bit-for-bit: same weights, optimiser, history."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import torch

from helpers import tinycm  # noqa: E402

EPOCHS = 4


def test_killed_run_resumes_to_identical_weights(tmp_path):
    corpus = tinycm.make_corpus(tmp_path / "corpus")
    cfg = tinycm.base_config(max_epochs=EPOCHS, scheduler="cosine", warmup_steps=2)
    cfg["model"].update(dropout=0.3, sleep=0.15)  # dropout draws from the global RNG
    config = tinycm.write_config(tmp_path / "c.yaml", cfg)
    env = tinycm.env_with_tests()
    full = subprocess.Popen(tinycm.train_cmd(corpus, tmp_path / "full", config), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed = subprocess.Popen(tinycm.train_cmd(corpus, tmp_path / "killed", config), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = tmp_path / "killed" / "latest.pt"  # written after checkpoints/epoch1.pt
    deadline = time.time() + 120
    while not first.exists() and killed.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    killed.kill()
    killed.wait()
    state = torch.load(tmp_path / "killed" / "latest.pt", weights_only=True)
    assert state["epoch"] < EPOCHS, "the run finished before it could be killed"
    resumed = subprocess.run(tinycm.train_cmd(corpus, tmp_path / "killed", config, "--resume"),
                             env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed from" in resumed.stdout
    assert full.wait(timeout=300) == 0, full.stderr.read()
    a = torch.load(tmp_path / "full" / "latest.pt", weights_only=True)
    b = torch.load(tmp_path / "killed" / "latest.pt", weights_only=True)
    assert a["epoch"] == b["epoch"] == EPOCHS
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), k
    assert a["scheduler"] == b["scheduler"]
    for x, y in zip(a["history"], b["history"]):
        assert (x["train_loss"], x["dev_loss"], x["dev_eer"]) == \
               (y["train_loss"], y["dev_loss"], y["dev_eer"])
    sa, sb = a["optimizer"]["state"], b["optimizer"]["state"]
    assert all(torch.equal(sa[i]["exp_avg_sq"], sb[i]["exp_avg_sq"]) for i in sa)
