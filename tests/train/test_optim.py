"""Adam parameter groups (per-module learning rates) and schedules."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from spoofcm.errors import SpoofcmError
from spoofcm.schema import resolve
from spoofcm.train.optim import build_optimizer, build_scheduler


def T(section: dict) -> dict:
    """A complete train section: the declared defaults with ``section`` on top."""
    return resolve({"train": section})["train"]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.ssl = nn.Linear(2, 2)
        self.ssl_proj = nn.Linear(2, 2)
        self.head = nn.Linear(2, 2)


def test_paper_defaults():
    opt = build_optimizer(Net(), T({}))
    assert isinstance(opt, torch.optim.Adam)
    (g,) = opt.param_groups
    assert g["lr"] == 1e-6 and g["weight_decay"] == 1e-4 and len(g["params"]) == 6


def test_lr_groups_by_prefix():
    net = Net()
    opt = build_optimizer(net, T({"lr": 1e-3, "lr_groups": {"ssl": 1e-6, "backend": 1e-4}}))
    by_name = {g["name"]: g for g in opt.param_groups}
    assert by_name["ssl"]["lr"] == 1e-6 and len(by_name["ssl"]["params"]) == 2
    # ssl_proj is not under the 'ssl' module: it belongs to the back end
    assert by_name["backend"]["lr"] == 1e-4 and len(by_name["backend"]["params"]) == 4


def test_frozen_params_skipped_and_unknown_prefix_named():
    net = Net()
    net.ssl.requires_grad_(False)
    opt = build_optimizer(net, T({"lr": 1e-3}))
    assert sum(len(g["params"]) for g in opt.param_groups) == 4
    with pytest.raises(SpoofcmError, match="encoder"):
        build_optimizer(Net(), T({"lr_groups": {"encoder": 1e-5}}))


def test_schedulers():
    opt = build_optimizer(Net(), T({"lr": 1.0}))
    assert build_scheduler(opt, T({}), 10) is None
    sched = build_scheduler(opt, T({"scheduler": "cosine", "max_epochs": 2, "warmup_steps": 2}), 10)
    lrs = []
    for _ in range(20):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[0] == 0.5 and lrs[1] == 1.0 and lrs[-1] < 0.05
    with pytest.raises(SpoofcmError, match="scheduler"):
        build_scheduler(opt, T({"scheduler": "bogus"}), 10)
