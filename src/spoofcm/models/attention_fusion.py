"""Self-attention fusion of time-aligned feature streams (SSL, log-mel) into one 2-D map.

Each stream arrives as (B, T, d) at the same frame rate. The streams are concatenated along
time into S*T tokens; every token gets a learned stream (modality) embedding and a sinusoidal
encoding of its time index, the same for every stream, so "SSL frame t" and "log-mel frame t"
share a position and differ only in modality. One post-norm Transformer layer follows: full
multi-head self-attention (every token attends to every token of every stream, no mask),
residual + LayerNorm, then a position-wise feed-forward network with residual + LayerNorm
(``ffn_dim=0`` drops it). The tokens are split back into streams and stacked, so the output
is (B, S, T, d): the caller decides how to lay the streams out as an image.
"""
from __future__ import annotations

import math

import torch
from torch import nn


def sinusoidal_positions(length: int, dim: int, device=None, dtype=torch.float32) -> torch.Tensor:
    """Transformer sine/cosine position table, shape (length, dim) (Vaswani et al., 2017)."""
    if dim % 2:
        raise ValueError(f"positional encoding needs an even dimension, got {dim}")
    pos = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim, device=device, dtype=torch.float32)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq)
    return table.to(dtype)


class AttentionFusion(nn.Module):
    """Joint self-attention over the tokens of ``n_streams`` aligned streams of width ``d_model``."""

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        n_streams: int,
        ffn_dim: int = 0,
        dropout: float = 0.1,
        attn_dropout: float | None = None,
    ) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.n_streams = n_streams
        self.stream_embed = nn.Parameter(torch.randn(n_streams, d_model) * 0.02)
        self.attn = nn.MultiheadAttention(
            d_model, n_heads, dropout=dropout if attn_dropout is None else attn_dropout, batch_first=True
        )
        self.drop = nn.Dropout(dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.ffn: nn.Module | None = None
        if ffn_dim > 0:
            self.ffn = nn.Sequential(
                nn.Linear(d_model, ffn_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(ffn_dim, d_model)
            )
            self.norm2 = nn.LayerNorm(d_model)

    def forward(self, streams: list[torch.Tensor]) -> torch.Tensor:
        """``streams``: n_streams tensors (B, T, d_model) -> attended (B, n_streams, T, d_model)."""
        if len(streams) != self.n_streams:
            raise ValueError(f"expected {self.n_streams} streams, got {len(streams)}")
        bsz, length, dim = streams[0].shape
        pos = sinusoidal_positions(length, dim, streams[0].device, streams[0].dtype)
        tokens = torch.cat([s + pos + self.stream_embed[i] for i, s in enumerate(streams)], dim=1)
        attended, _ = self.attn(tokens, tokens, tokens, need_weights=False)
        x = self.norm1(tokens + self.drop(attended))
        if self.ffn is not None:
            x = self.norm2(x + self.drop(self.ffn(x)))
        return x.view(bsz, self.n_streams, length, dim)
