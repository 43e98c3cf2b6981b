"""The proposed system and its ablations: SSL (+ log-mel) -> self-attention -> (CBAM-)ResNet18.

Pipeline (``SSLFusionResNet``; sizes are config keys, see ``DEFAULTS``):

1. SSL stream ``batch["ssl"]`` (B, T, L*D), 50 fps: the L cached layers are combined by a
   learnable softmax-weighted sum (weights start equal; no weights when L == 1), then
   Linear(D, d_model) + LayerNorm. With ``ssl.freeze: false`` the model holds the SSL encoder
   as its ``ssl`` submodule and computes this stream from ``batch["wav"]`` (fine-tuning; the
   ``ssl`` prefix is what ``train.lr_groups`` uses to give the encoder its own learning rate).
   With log-mel present, each SSL frame is repeated twice to reach the log-mel rate (100 fps).
2. Log-mel stream ``batch["logmel"]`` (B, T_m, 128), 100 fps: trimmed, or padded by repeating
   its last frame, to exactly 2T frames (SSL frame i covers log-mel frames 2i, 2i+1; framing
   makes T_m = 2T or 2T - 1), standardised per mel bin by BatchNorm (a learned global CMVN:
   it keeps level and spectral shape, which a per-frame LayerNorm would erase), and kept at its
   native 128 bins when d_model = 128, else Linear(128, d_model). No frame stacking or
   projection at full size: fine spectral and 10 ms temporal detail reaches the back end.
3. Fusion (``fusion: attention``): one joint self-attention layer over the tokens of both
   streams (spoofcm.models.attention_fusion). ``fusion: concat`` skips it (ablation).
4. The attended streams are laid out as a one-channel image of height S*d_model (the SSL
   stream's d_model rows above the log-mel stream's) and width 2T (T without log-mel), and go
   through ResNet18 (with CBAM in every block for the *_cbam_* models), global average pooling,
   dropout and Linear(8*width, 2). Logit index 1 = bona fide; the score is logit[1] - logit[0].
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from spoofcm.errors import SpoofcmError
from spoofcm.models.attention_fusion import AttentionFusion
from spoofcm.models.resnet import ResNet18
from spoofcm.ssl.layers import parse_layers

N_MELS = 128

DEFAULTS: dict[str, Any] = {
    "ssl_dim": "auto",       # per-layer SSL width D; "auto" = cfg["ssl"]["dim"] (set by the trainer)
    "d_model": 128,          # common width of both streams and of the attention layer
    "n_heads": 4,
    "ffn_dim": 256,          # feed-forward width after attention; 0 = no FFN
    "fusion": "attention",   # attention | concat
    "resnet_width": 64,      # ResNet18 base width (64 = the standard ResNet18)
    "cbam": None,            # fixed by the model name; if given it must agree
    "cbam_reduction": 16,
    "cbam_min_hidden": 4,    # floor on the channel gate's bottleneck width
    "dropout": 0.1,          # FFN/residual dropout and dropout before the classifier
    "attn_dropout": 0.1,     # dropout on the attention weights (0 lets CPU use fused attention)
    "max_len_mismatch": 4,   # tolerated |T_m - 2T| in log-mel frames before refusing a batch
}


def align_logmel(logmel: torch.Tensor, ssl_frames: int, max_mismatch: int) -> torch.Tensor:
    """Trim or repeat-pad (B, T_m, F) log-mel to (B, 2 * ssl_frames, F), refusing large gaps.

    A gap beyond a few frames means the two streams were cut from different spans of audio,
    which would silently misalign the fusion, so it is an error rather than a fix-up.
    """
    target = 2 * ssl_frames
    frames = logmel.shape[1]
    if abs(frames - target) > max_mismatch:
        raise SpoofcmError(
            f"log-mel has {frames} frames but SSL has {ssl_frames} (expected about {target}); "
            "the feature streams are not aligned to the same audio"
        )
    if frames >= target:
        return logmel[:, :target]
    if frames == 0:
        raise SpoofcmError("log-mel stream is empty")
    pad = logmel[:, -1:].expand(-1, target - frames, -1)
    return torch.cat([logmel, pad], dim=1)


class LayerWeightedSum(nn.Module):
    """Softmax-weighted sum over SSL layers: (B, T, L, D) -> (B, T, D); plain squeeze if L == 1."""

    def __init__(self, n_layers: int) -> None:
        super().__init__()
        self.n_layers = n_layers
        self.logits = nn.Parameter(torch.zeros(n_layers)) if n_layers > 1 else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.logits is None:
            return x[:, :, 0]
        weights = torch.softmax(self.logits, dim=0).to(x.dtype)
        return torch.einsum("btld,l->btd", x, weights)


class SSLFrontEnd(nn.Module):
    """A trainable wav2vec 2.0 encoder: (B, N) waves -> (B, T, L*D), as the stage-2 cache stores."""

    def __init__(self, encoder: nn.Module, layers: list[int]) -> None:
        super().__init__()
        self.encoder = encoder
        self.layers = list(layers)

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        from spoofcm.ssl import extract  # transformers is imported only when fine-tuning

        return extract(self.encoder, wav, self.layers)


class SSLFusionResNet(nn.Module):
    """SSL (+ optional log-mel) streams, self-attention fusion, (CBAM-)ResNet18, 2 logits."""

    def __init__(
        self,
        ssl_dim: int,
        n_ssl_layers: int = 1,
        use_logmel: bool = True,
        d_model: int = 128,
        n_heads: int = 4,
        ffn_dim: int = 256,
        fusion: str = "attention",
        resnet_width: int = 64,
        cbam: bool = True,
        cbam_reduction: int = 16,
        cbam_min_hidden: int = 4,
        dropout: float = 0.1,
        attn_dropout: float = 0.1,
        max_len_mismatch: int = 4,
        ssl_frontend: SSLFrontEnd | None = None,
    ) -> None:
        super().__init__()
        if fusion not in ("attention", "concat"):
            raise SpoofcmError(f"model.fusion must be 'attention' or 'concat', got '{fusion}'")
        first = "ssl" if ssl_frontend is None else "wav"
        self.inputs: tuple[str, ...] = (first, "logmel") if use_logmel else (first,)
        self.ssl = ssl_frontend
        self.is_neural = True
        self.ssl_dim, self.n_ssl_layers = ssl_dim, n_ssl_layers
        self.max_len_mismatch = max_len_mismatch
        n_streams = 2 if use_logmel else 1
        self.ssl_layers = LayerWeightedSum(n_ssl_layers)
        self.ssl_proj = nn.Sequential(nn.Linear(ssl_dim, d_model), nn.LayerNorm(d_model))
        self.mel_norm = nn.BatchNorm1d(N_MELS) if use_logmel else None
        self.mel_proj = nn.Linear(N_MELS, d_model) if use_logmel and d_model != N_MELS else nn.Identity()
        self.fusion = (
            AttentionFusion(d_model, n_heads, n_streams, ffn_dim, dropout, attn_dropout)
            if fusion == "attention" else None
        )
        self.backbone = ResNet18(1, resnet_width, cbam, cbam_reduction, cbam_min_hidden)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(self.backbone.out_dim, 2)

    def _ssl_stream(self, ssl: torch.Tensor) -> torch.Tensor:
        bsz, frames, feat = ssl.shape
        if feat != self.n_ssl_layers * self.ssl_dim:
            raise SpoofcmError(
                f"SSL features have width {feat}, but the model expects {self.n_ssl_layers} layer(s) "
                f"x {self.ssl_dim} = {self.n_ssl_layers * self.ssl_dim} (check ssl.layers / ssl dim)"
            )
        x = ssl.to(self.ssl_proj[0].weight.dtype).view(bsz, frames, self.n_ssl_layers, self.ssl_dim)
        return self.ssl_proj(self.ssl_layers(x))

    def _mel_stream(self, logmel: torch.Tensor, frames: int) -> torch.Tensor:
        if logmel.shape[-1] != N_MELS:
            raise SpoofcmError(f"log-mel features have {logmel.shape[-1]} bins, expected {N_MELS}")
        mel = align_logmel(logmel.to(self.mel_norm.weight.dtype), frames, self.max_len_mismatch)
        return self.mel_proj(self.mel_norm(mel.transpose(1, 2)).transpose(1, 2))

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """``batch["ssl"]`` (B, T, L*D) [+ ``batch["logmel"]`` (B, ~2T, 128)] -> logits (B, 2)."""
        ssl = batch["ssl"] if self.ssl is None else self.ssl(batch["wav"])
        if ssl.dim() != 3 or ssl.shape[1] == 0:
            raise SpoofcmError(f"SSL batch must be (B, T>0, L*D), got shape {tuple(ssl.shape)}")
        streams = [self._ssl_stream(ssl)]
        if self.mel_norm is not None:  # fuse at the log-mel rate: SSL frame i -> log-mel frames 2i, 2i+1
            streams = [streams[0].repeat_interleave(2, dim=1), self._mel_stream(batch["logmel"], ssl.shape[1])]
        fused = self.fusion(streams) if self.fusion is not None else torch.stack(streams, dim=1)
        bsz, n_streams, frames, dim = fused.shape
        image = fused.permute(0, 1, 3, 2).reshape(bsz, 1, n_streams * dim, frames)
        return self.classifier(self.dropout(self.backbone(image)))


def resolve_ssl_dim(value: Any, cfg: dict[str, Any]) -> int:
    """``model.ssl_dim``: an int, or "auto" = ``cfg["ssl"]["dim"]``; the two must agree if both set."""
    cached = (cfg.get("ssl") or {}).get("dim")
    if value in (None, "auto"):
        if cached is None:
            raise SpoofcmError(
                "model.ssl_dim is 'auto' but ssl.dim is not set; the trainer sets it from the SSL "
                "cache's dim file, or set model.ssl_dim (1024 for XLS-R 300M)"
            )
        value = cached
    try:
        dim = int(value)
    except (TypeError, ValueError):
        raise SpoofcmError(f"model.ssl_dim must be an integer or 'auto', got {value!r}") from None
    if cached is not None and int(cached) != dim:
        raise SpoofcmError(f"model.ssl_dim={dim} disagrees with the SSL features' width ssl.dim={cached}")
    if dim < 1:
        raise SpoofcmError(f"model.ssl_dim must be positive, got {dim}")
    return dim


def _ssl_frontend(cfg: dict[str, Any]) -> SSLFrontEnd | None:
    """The SSL encoder to fine-tune when ``ssl.freeze`` is false, else None (cached features)."""
    ssl_cfg = cfg.get("ssl") or {}
    if ssl_cfg.get("freeze", True) is not False:
        return None
    from spoofcm.ssl import load_encoder

    return SSLFrontEnd(load_encoder(ssl_cfg), parse_layers(ssl_cfg.get("layers", [-1])))


def _build(model_cfg: dict[str, Any], cfg: dict[str, Any], cbam: bool, use_logmel: bool) -> SSLFusionResNet:
    """Merge ``model_cfg`` over DEFAULTS (rejecting unknown keys) and build the model."""
    name = model_cfg.get("name", "?")
    unknown = sorted(set(model_cfg) - set(DEFAULTS) - {"name"})
    if unknown:
        raise SpoofcmError(f"model {name}: unknown key(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    opts = {**DEFAULTS, **{k: v for k, v in model_cfg.items() if k != "name"}}
    if opts.pop("cbam") not in (None, cbam):
        raise SpoofcmError(f"model {name}: cbam is {'on' if cbam else 'off'} by definition of this model")
    frontend = _ssl_frontend(cfg)
    if frontend is not None:  # the encoder's own width is the truth when fine-tuning
        cfg = {**cfg, "ssl": {**(cfg.get("ssl") or {}), "dim": frontend.encoder.config.hidden_size}}
    opts["ssl_dim"] = resolve_ssl_dim(opts["ssl_dim"], cfg)
    n_layers = len(parse_layers((cfg.get("ssl") or {}).get("layers", [-1])))
    try:
        return SSLFusionResNet(n_ssl_layers=n_layers, use_logmel=use_logmel, cbam=cbam,
                               ssl_frontend=frontend, **opts)
    except (ValueError, TypeError) as exc:
        raise SpoofcmError(f"model {name}: {exc}") from None


def build_fusion_cbam_resnet18(model_cfg: dict[str, Any], cfg: dict[str, Any]) -> SSLFusionResNet:
    """The proposed system: SSL + log-mel, attention fusion, ResNet18 with CBAM in every block."""
    return _build(model_cfg, cfg, cbam=True, use_logmel=True)


def build_fusion_resnet18(model_cfg: dict[str, Any], cfg: dict[str, Any]) -> SSLFusionResNet:
    """Ablation: the proposed system without CBAM."""
    return _build(model_cfg, cfg, cbam=False, use_logmel=True)


def build_ssl_cbam_resnet18(model_cfg: dict[str, Any], cfg: dict[str, Any]) -> SSLFusionResNet:
    """Ablation (SSL-ATT-ResNet18): SSL only, self-attention over SSL tokens, CBAM-ResNet18."""
    return _build(model_cfg, cfg, cbam=True, use_logmel=False)
