"""SSL-AASIST (Tak et al., Odyssey 2022): XLS-R fine-tuned on the fly + the AASIST back end.

wave (B, N) → wav2vec 2.0 / XLS-R (``spoofcm.ssl.load(ssl.checkpoint)``, fine-tuned) last-layer
output (B, T, 1024) → Linear 1024 → 128 (``LL``) → as a 1-channel image (B, 1, 128, T):
max-pool 3x3, BN, SELU → 6 residual blocks (channels 1→32→32→64→64→64→64) → BN, SELU →
a 1x1-conv attention map, softmax over time gives spectral node features (42 nodes + positional
embedding ``pos_S``), softmax over frequency gives temporal nodes → GAL on each (64-d,
temperature 2) → graph pooling (0.5) → two branches of two HS-GALs (32-d, temperature 100) with
a learnt master node each, graph pooling (0.5) between → element-wise max of the branches
(max graph operation) → readout [max |T|, mean T, max |S|, mean S, master] (160-d) → dropout →
Linear → 2 logits. Published configuration: ``filts [128, [1, 32], [32, 32], [32, 64], [64, 64]]``,
``gat_dims [64, 32]``, ``pool_ratios [0.5] * 4``, ``temperatures [2, 2, 100, 100]``.

With ``ssl.cache: true`` the model reads cached features (``inputs = ("ssl",)``) instead of
holding the encoder. Parameter names match the authors' code (encoder under ``ssl.`` here,
``ssl_model.model.`` with fairseq names there), see :func:`import_ssl_aasist_checkpoint`.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from spoofcm.errors import SpoofcmError
from spoofcm.statedict import check_fits
from spoofcm.models.aasist_graph import SpectroTemporalGraph
from spoofcm.models.aasist_layers import ResidualBlock2d

FILTS = ((1, 32), (32, 32), (32, 64), (64, 64), (64, 64), (64, 64))
GAT_DIMS = (64, 32)
POOL_RATIOS = (0.5, 0.5, 0.5, 0.5)
TEMPERATURES = (2.0, 2.0, 100.0, 100.0)


class AASISTBackend(SpectroTemporalGraph):
    """The SSL-AASIST back end on (B, T, in_dim) frame features."""

    def __init__(self, in_dim: int = 1024, ll_dim: int = 128, filts=FILTS, gat_dims=GAT_DIMS,
                 pool_ratios=POOL_RATIOS, temperatures=TEMPERATURES) -> None:
        super().__init__()
        ch = filts[-1][1]
        self.LL = nn.Linear(in_dim, ll_dim)
        self.first_bn = nn.BatchNorm2d(1)
        self.first_bn1 = nn.BatchNorm2d(ch)
        self.selu = nn.SELU()
        self.encoder = nn.Sequential(*[nn.Sequential(ResidualBlock2d(i, o)) for i, o in filts])
        self.attention = nn.Sequential(nn.Conv2d(ch, 128, 1), nn.SELU(), nn.BatchNorm2d(128),
                                       nn.Conv2d(128, ch, 1))
        self.pos_S = nn.Parameter(torch.randn(1, ll_dim // 3, ch))
        self.build_graph(ch, gat_dims, pool_ratios, temperatures)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        feats = F.pad(feats, (0, 0, 0, max(0, 3 - feats.shape[1])))  # >= 3 frames for the 3x3 pool
        x = self.LL(feats).transpose(1, 2).unsqueeze(1)          # (B, 1, ll_dim, T)
        x = self.selu(self.first_bn(F.max_pool2d(x, (3, 3))))
        x = self.selu(self.first_bn1(self.encoder(x)))            # (B, C, ll_dim / 3, T / 3)
        w = self.attention(x)
        e_s = (x * F.softmax(w, dim=-1)).sum(dim=-1).transpose(1, 2) + self.pos_S
        e_t = (x * F.softmax(w, dim=-2)).sum(dim=-2).transpose(1, 2)
        return self.graph_logits(e_s, e_t)


class SSLAASIST(AASISTBackend):
    """AASIST back end over an SSL encoder run on the fly (``ssl`` submodule) or cached features."""

    def __init__(self, encoder: nn.Module | None, layers: list[int], in_dim: int, **backend: Any) -> None:
        super().__init__(in_dim=in_dim * len(layers), **backend)
        self.ssl = encoder
        self.layers = list(layers)
        self.inputs = ("wav",) if encoder is not None else ("ssl",)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:  # type: ignore[override]
        if self.ssl is None:
            feats = batch["ssl"]
        else:
            from spoofcm.ssl import extract
            feats = extract(self.ssl, batch["wav"], self.layers)
        return super().forward(feats.to(self.LL.weight.dtype))


def build_ssl_aasist(model_cfg: dict[str, Any], cfg: dict[str, Any] | None = None,
                     encoder: nn.Module | None = None) -> SSLAASIST:
    """Build from the config; ``encoder`` (a ``Wav2Vec2Model``) skips loading ``ssl.checkpoint``."""
    cfg = cfg or {}
    ssl_cfg = cfg.get("ssl") or {}
    from spoofcm.ssl import parse_layers
    layers = parse_layers(ssl_cfg.get("layers", [-1]))
    if ssl_cfg.get("cache") and encoder is None:
        in_dim = model_cfg.get("ssl_dim", "auto")
        in_dim = int(ssl_cfg.get("dim", 1024) if in_dim == "auto" else in_dim)
    else:
        if encoder is None:
            from spoofcm.ssl import load_encoder
            encoder = load_encoder(ssl_cfg)
        if "normalize_input" in model_cfg:     # SSL-AASIST feeds raw waves (no per-utterance norm)
            encoder.config.spoofcm_normalize = bool(model_cfg["normalize_input"])
        if ssl_cfg.get("freeze"):
            encoder.requires_grad_(False)
        encoder.train()
        in_dim = int(encoder.config.hidden_size)
    backend = {k: model_cfg[k] for k in ("ll_dim",) if k in model_cfg}
    if "filts" in model_cfg:
        backend["filts"] = tuple(tuple(int(v) for v in f) for f in model_cfg["filts"])
    for key in ("gat_dims", "pool_ratios", "temperatures"):
        if key in model_cfg:
            backend[key] = tuple(model_cfg[key])
    return SSLAASIST(encoder, layers, in_dim, **backend)


_UNUSED_BN1 = re.compile(r"^encoder\.\d+\.0\.bn1\.")


def import_ssl_aasist_checkpoint(state: Mapping[str, torch.Tensor],
                                 model: SSLAASIST | None = None) -> dict[str, torch.Tensor]:
    """The authors' SSL-AASIST state dict (``ssl_model.model.<fairseq>`` + back end, optionally
    under a DataParallel ``module.`` prefix) renamed to ours (``ssl.<transformers>`` + back end).

    With ``model`` given, the result is checked key by key and by shape against it.
    """
    from spoofcm.ssl.convert import PRETRAINING_ONLY, to_hf_state

    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
    prefix = "ssl_model.model."
    fs_state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    if not fs_state:
        raise SpoofcmError(f"not an SSL-AASIST checkpoint: no '{prefix}*' keys")
    mode = ("layer_norm" if any(re.match(r"feature_extractor\.conv_layers\.\d+\.2\.1\.", k) for k in fs_state)
            else "default")
    out: dict[str, torch.Tensor] = {}
    if model is not None and model.ssl is not None:
        hf = to_hf_state(fs_state, {"extractor_mode": mode}, model.ssl)
    else:
        from spoofcm.ssl.convert import rename
        keys = [k for k in fs_state if not k.startswith(PRETRAINING_ONLY)]
        hf = {v: fs_state[k] for k, v in rename(keys, mode).items()}
    out.update({f"ssl.{k}": v for k, v in hf.items()})
    out.update({k: v for k, v in state.items()
                if not k.startswith("ssl_model.") and not _UNUSED_BN1.match(k)})
    if model is not None:
        expected = model.state_dict()
        if "ssl.masked_spec_embed" not in expected:
            out.pop("ssl.masked_spec_embed", None)
        check_fits(out, expected, "SSL-AASIST checkpoint weights")
    return out
