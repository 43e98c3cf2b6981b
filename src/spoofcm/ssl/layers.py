"""Which transformer outputs ``ssl.layers`` names, identical across transformers versions.

Index convention (documented in the README):

* ``0`` — the input of transformer layer 1 (HF ``hidden_states[0]``; fairseq's ``layer0_input``).
* ``k`` for ``1 <= k < L`` — the output of layer ``k`` (fairseq ``layer_results[k-1]``, raw: for
  pre-LN / XLS-R models the final encoder LayerNorm is *not* applied to intermediate layers).
* ``L`` (and ``-1``) — the encoder's final output, fairseq's ``x`` = HF ``last_hidden_state``.
  For pre-LN (``layer_norm_first``, XLS-R) models this is *after* the final LayerNorm. It is what
  fairseq's ``extract_features(...)['x']`` returns and what SSL-AASIST feeds its back end.
  transformers 5.x returns the raw last layer as ``hidden_states[L]`` while 4.x returns it after
  the norm, so we always take ``last_hidden_state`` for index L and never ``hidden_states[L]``.
* negative ``-j`` — ``L + 1 - j`` (so ``-1`` = L, ``-2`` = L-1).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import torch

from spoofcm.errors import SpoofcmError


def parse_layers(spec: str | int | Iterable[int]) -> list[int]:
    """``"-1"``, ``"6,12"``, ``"[6, 12]"``, 6 or [6, 12] → [6, 12] (order kept)."""
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, str):
        text = spec.strip().strip("[]")
        parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
        try:
            out = [int(p) for p in parts]
        except ValueError:
            raise SpoofcmError(f"ssl.layers: expected integers like '-1' or '6,12', got '{spec}'") from None
    else:
        out = [int(v) for v in spec]
    if not out:
        raise SpoofcmError(f"ssl.layers: no layer given ('{spec}')")
    return out


def resolve_layers(layers: Sequence[int], num_layers: int) -> list[int]:
    """Map indices (negative allowed) to 0..L; out-of-range indices raise."""
    out = []
    for idx in layers:
        k = num_layers + 1 + idx if idx < 0 else idx
        if not 0 <= k <= num_layers:
            raise SpoofcmError(f"ssl.layers: index {idx} is out of range for a model with "
                               f"{num_layers} transformer layers (valid: {-num_layers - 1}..{num_layers})")
        out.append(k)
    return out


def select(hidden_states: Sequence[torch.Tensor], last_hidden_state: torch.Tensor,
           layers: Sequence[int]) -> list[torch.Tensor]:
    """Pick resolved layer indices from an HF forward with ``output_hidden_states=True``."""
    num_layers = len(hidden_states) - 1
    return [last_hidden_state if k == num_layers else hidden_states[k] for k in layers]
