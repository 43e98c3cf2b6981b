"""extract(): normalisation, padded batches, frame counts, and gradients for fine-tuning."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from spoofcm.ssl import extract, extract_list, load, num_frames


def _wave(n: int, seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed)
    return (0.3 * rng.randn(n) + 0.2).astype(np.float32)


def test_normalisation_follows_the_checkpoint_flag(tiny_model):
    wave = _wave(16000, 0)
    normed = (wave - wave.mean()) / np.sqrt(wave.var() + 1e-5)
    with torch.no_grad():
        auto = extract(tiny_model, wave, [-1])
        tiny_model.config.spoofcm_normalize = False
        try:
            manual = extract(tiny_model, normed, [-1])
            raw = extract(tiny_model, wave, [-1])
        finally:
            tiny_model.config.spoofcm_normalize = True
    torch.testing.assert_close(auto, manual, atol=1e-4, rtol=1e-4)
    assert (auto - raw).abs().max() > 1e-2
    with torch.no_grad():  # an explicit override beats the checkpoint's flag
        torch.testing.assert_close(extract(tiny_model, wave, [-1], normalize=False), raw)


def test_frames_at_50_per_second(tiny_model):
    for n in (400, 16000, 37920, 64000):
        with torch.no_grad():
            feats = extract(tiny_model, _wave(n, 1), [-1])
        assert feats.shape[0] == num_frames(tiny_model, n) == 1 + (n - 400) // 320


@pytest.mark.parametrize("ckpt", ["tiny", "base_style"])
def test_padded_batch_equals_one_by_one(request, ckpt):
    if ckpt == "tiny":
        model = request.getfixturevalue("tiny_model")
    else:  # group-norm extractor: padding would change it, so extract_list must not pad
        model = load(request.getfixturevalue("fairseq_golden") / f"{ckpt}.pt")
    waves = [_wave(n, i) for i, n in enumerate((9000, 16000, 23456))]
    with torch.no_grad():
        batch = extract_list(model, waves, [0, 2, -1])
        single = [extract(model, w, [0, 2, -1]) for w in waves]
    for b, s in zip(batch, single):
        assert b.shape == s.shape == (s.shape[0], 3 * model.config.hidden_size)
        torch.testing.assert_close(b, s, atol=1e-4, rtol=1e-4)


def test_gradients_flow_in_fine_tuning_mode(tiny_model):
    import copy

    model = copy.deepcopy(tiny_model).train()
    feats = extract(model, torch.from_numpy(np.stack([_wave(8000, 3), _wave(8000, 4)])), [-1])
    assert feats.shape[0] == 2 and feats.requires_grad
    feats.pow(2).mean().backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    assert grads["feature_extractor.conv_layers.0.conv.weight"].abs().sum() > 0
    assert grads["encoder.layers.2.feed_forward.output_dense.weight"].abs().sum() > 0


def test_low_layers_skip_the_rest_with_identical_results(tiny_model):
    wave = _wave(12000, 5)
    with torch.no_grad():  # inference: layers above 2 are not run
        fast = extract(tiny_model, wave, [0, 1])
        full = tiny_model(torch.from_numpy(
            (wave - wave.mean()) / np.sqrt(wave.var() + 1e-5))[None], output_hidden_states=True)
    want = torch.cat([full.hidden_states[0][0], full.hidden_states[1][0]], dim=-1)
    torch.testing.assert_close(fast, want, atol=1e-4, rtol=1e-4)
    assert len(tiny_model.encoder.layers) == 3  # restored
    calls = []
    hook = tiny_model.encoder.layers[2].register_forward_hook(lambda *a: calls.append(1))
    try:
        with torch.no_grad():
            extract(tiny_model, wave, [1])
            assert not calls
            extract(tiny_model, wave, [2])
            assert calls
    finally:
        hook.remove()
