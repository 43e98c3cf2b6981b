"""Run a loaded ``Wav2Vec2Model`` and return the chosen layers as (frames × n_layers·dim).

Input normalisation: fairseq's ``audio_pretraining`` task normalises each utterance to zero
mean, unit variance (``F.layer_norm`` over the whole waveform) when ``task.normalize`` is true,
as for XLS-R and the large models. The model itself does not, so :func:`extract` does it when
``model.config.spoofcm_normalize`` is true (set by :func:`spoofcm.ssl.load`).

Gradients are not disabled here: with ``model.train()`` and grad enabled, this is the
fine-tuning path (SSL-AASIST style); callers that only infer wrap it in ``torch.inference_mode``.
"""
from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from spoofcm.ssl.layers import parse_layers, resolve_layers, select

if TYPE_CHECKING:  # transformers takes seconds to import; only model users pay for it
    from transformers import Wav2Vec2Model

HOP = 320  #: samples per wav2vec 2.0 frame (the standard conv stack)


def num_frames(model: Wav2Vec2Model, num_samples: int) -> int:
    """Frames the conv extractor yields for ``num_samples`` samples."""
    n = num_samples
    for k, s in zip(model.config.conv_kernel, model.config.conv_stride):
        n = (n - k) // s + 1
    return max(n, 0)


def normalize_waves(waves: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Per-utterance zero mean, unit variance over the valid samples (fairseq's layer_norm)."""
    if lengths is None:
        return F.layer_norm(waves, waves.shape[-1:])
    out = torch.zeros_like(waves)
    for b, n in enumerate(lengths.tolist()):
        out[b, :n] = F.layer_norm(waves[b, :n], (n,))
    return out


def _as_tensor(wave: torch.Tensor | np.ndarray, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    t = torch.as_tensor(wave) if not isinstance(wave, torch.Tensor) else wave
    return t.to(device=device, dtype=dtype)


def extract(model: Wav2Vec2Model, waves: torch.Tensor | np.ndarray, layers: Sequence[int] | str,
            lengths: torch.Tensor | Sequence[int] | None = None,
            normalize: bool | None = None) -> torch.Tensor:
    """Chosen layers concatenated on the feature axis, in the order given.

    ``waves``: (N,) → returns (T, n·D); (B, N) → (B, T, n·D). With ``lengths`` (valid samples
    per row of a zero-padded batch) an attention mask keeps padding out of the valid frames.
    ``normalize``: None follows the checkpoint (``model.config.spoofcm_normalize``); True/False
    overrides it (SSL-AASIST, for one, feeds raw waves to XLS-R although it was trained normalised).
    """
    param = next(model.parameters())
    x = _as_tensor(waves, param.device, param.dtype if param.is_floating_point() else torch.float32)
    single = x.dim() == 1
    if single:
        x = x[None]
    lens = None if lengths is None else torch.as_tensor(lengths, device=x.device, dtype=torch.long)
    if normalize is None:
        normalize = bool(getattr(model.config, "spoofcm_normalize", False))
    if normalize:
        x = normalize_waves(x.float(), lens).to(x.dtype)
    mask = None
    if lens is not None and bool((lens < x.shape[-1]).any()):
        mask = (torch.arange(x.shape[-1], device=x.device)[None] < lens[:, None]).long()
    idx = resolve_layers(parse_layers(layers) if isinstance(layers, str) else layers,
                         model.config.num_hidden_layers)
    with _only_layers_up_to(model, max(idx) + 1):
        out = model(x, attention_mask=mask, output_hidden_states=True)
    feats = torch.cat(select(out.hidden_states, out.last_hidden_state, idx), dim=-1)
    return feats[0] if single else feats


@contextlib.contextmanager
def _only_layers_up_to(model: Wav2Vec2Model, keep: int) -> Iterator[None]:
    """Skip transformer layers above ``keep`` when inferring (layer 6 of 24 costs 7 layers).

    One layer more than the highest index asked for is kept, so that index is an intermediate
    ``hidden_states`` entry, which all transformers versions return the same way. Only without
    gradients: the module tree is restored afterwards, but training should never see it change.
    """
    layers = model.encoder.layers
    if torch.is_grad_enabled() or keep >= len(layers):
        yield
        return
    model.encoder.layers = layers[:keep]
    try:
        yield
    finally:
        model.encoder.layers = layers


def extract_list(model: Wav2Vec2Model, waves: Sequence[np.ndarray | torch.Tensor],
                 layers: Sequence[int] | str) -> list[torch.Tensor]:
    """Extract a batch of utterances of different lengths; one (T_i × n·D) tensor each.

    Layer-norm extractors (XLS-R, large) batch with zero padding and an attention mask. The
    group-norm extractor of base models normalises over time, so padding would change its
    output: there, utterances of different lengths run one at a time.
    """
    lens = [int(len(w)) for w in waves]
    if model.config.feat_extract_norm != "layer" and len(set(lens)) > 1:
        return [extract(model, w, layers) for w in waves]
    batch = torch.zeros(len(waves), max(lens))
    for b, w in enumerate(waves):
        batch[b, : lens[b]] = torch.as_tensor(w, dtype=torch.float32)
    feats = extract(model, batch, layers, lengths=lens)
    return [feats[b, : num_frames(model, n)] for b, n in enumerate(lens)]
