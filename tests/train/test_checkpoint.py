"""Checkpoints: data-only loading, RNG round trip, averaging, atomic replacement."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from spoofcm.errors import SpoofcmError
from spoofcm.train import checkpoint as ckpt


def draws() -> tuple[float, float, float]:
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_rng_state_round_trip_through_weights_only_file(tmp_path):
    random.seed(1), np.random.seed(2), torch.manual_seed(3)
    np.random.randn()  # leaves a cached gaussian in numpy's state
    ckpt.save({"rng": ckpt.rng_state()}, tmp_path / "s.pt")
    first = draws()
    state = torch.load(tmp_path / "s.pt", weights_only=True)["rng"]
    ckpt.set_rng_state(state)
    assert draws() == first


class Custom:
    """Not an allowed type for weights_only loading."""


def test_untrusted_pickle_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"x": Custom()}, path)
    with pytest.raises(SpoofcmError, match="--trust-checkpoint"):
        ckpt.load(path)
    with pytest.raises(SpoofcmError, match="not found"):
        ckpt.load(tmp_path / "none.pt")


def test_average_states_means_floats_keeps_ints():
    a = {"w": torch.tensor([1.0, 3.0]), "n": torch.tensor(5)}
    b = {"w": torch.tensor([3.0, 5.0]), "n": torch.tensor(9)}
    out = ckpt.average_states([a, b])
    assert torch.equal(out["w"], torch.tensor([2.0, 4.0]))
    assert int(out["n"]) == 5


def test_save_is_atomic_and_prune_keeps_chosen(tmp_path):
    for e in (1, 2, 3):
        ckpt.save({"epoch": e}, ckpt.epoch_path(tmp_path, e))
    assert not list((tmp_path / "checkpoints").glob(".*"))  # no temporary leftovers
    ckpt.prune_epochs(tmp_path, {2})
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["epoch2.pt"]
    assert ckpt.load(ckpt.epoch_path(tmp_path, 2))["epoch"] == 2
