"""Two gloo processes (torchrun via local/launch_train.sh) equal one process with the same
global batch."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from helpers import tinycm  # noqa: E402


def test_two_gloo_processes_match_one_process(tmp_path):
    corpus = tinycm.make_corpus(tmp_path / "corpus", n_train=16)
    env = tinycm.env_with_tests()
    env["PATH"] = f"{tinycm.REPO / 'utils'}{os.pathsep}{env['PATH']}"
    one = tinycm.write_config(tmp_path / "one.yaml", tinycm.base_config(batch_size=4, max_epochs=2))
    two = tinycm.write_config(tmp_path / "two.yaml", tinycm.base_config(batch_size=2, max_epochs=2))
    single = subprocess.Popen(tinycm.train_cmd(corpus, tmp_path / "one", one), env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = tmp_path / "two" / "train.log"
    ddp = subprocess.run([str(tinycm.REPO / "local" / "launch_train.sh"), "--nproc", "2",
                          "--log", str(log), "--",
                          *tinycm.train_cmd(corpus, tmp_path / "two", two)[3:]],
                         env=env, capture_output=True, text=True, timeout=300)
    out_single = single.communicate(timeout=300)[0]
    assert ddp.returncode == 0, ddp.stderr + (log.read_text() if log.exists() else "")
    assert single.returncode == 0, out_single
    text = log.read_text()
    assert "world size 2" in text and "epoch 2/2" in text
    a = torch.load(tmp_path / "one" / "latest.pt", weights_only=True)
    b = torch.load(tmp_path / "two" / "latest.pt", weights_only=True)
    assert b["world_size"] == 2 and len(b["rng"]) == 2
    for k in a["model"]:
        torch.testing.assert_close(a["model"][k], b["model"][k], rtol=1e-5, atol=1e-6)
    for x, y in zip(a["history"], b["history"]):
        assert abs(x["train_loss"] - y["train_loss"]) < 1e-5
        assert abs(x["dev_eer"] - y["dev_eer"]) < 1e-9
