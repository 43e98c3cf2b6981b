"""AASIST building blocks (Jung et al., ICASSP 2022): 2-D residual encoder block, graph
attention layer (GAL), heterogeneous stacking graph attention layer (HS-GAL) with a master
node, and graph pooling. Parameter names follow the authors' code so that their released
checkpoints map onto ours one to one (see :func:`spoofcm.models.aasist.import_ssl_aasist_checkpoint`).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _att_weight(dim: int) -> nn.Parameter:
    weight = nn.Parameter(torch.empty(dim, 1))
    nn.init.xavier_normal_(weight)
    return weight


def _bn_nodes(bn: nn.BatchNorm1d, x: torch.Tensor) -> torch.Tensor:
    """Batch norm over the feature axis of (B, nodes, D)."""
    return bn(x.reshape(-1, x.shape[-1])).view(x.shape)


def pairwise_products(x: torch.Tensor) -> torch.Tensor:
    """(B, N, D) → (B, N, N, D) with entry (i, j) = x_i * x_j."""
    return x.unsqueeze(2) * x.unsqueeze(1)


class ResidualBlock2d(nn.Module):
    """AASIST encoder block: conv (2x3) → BN → SELU → conv (2x3), plus a (1x3) projection
    when widths differ, then (raw-wave AASIST only) a (1, ``pool_time``) max-pool over time.

    As in the authors' code the first conv reads the block input directly: their non-first
    blocks also hold a ``bn1`` whose output is never used. SSL-AASIST leaves it out (its
    importer drops those keys); raw-wave AASIST keeps it (``unused_bn1=True``) so that the
    released state dicts load unchanged and the published parameter counts hold.
    """

    def __init__(self, in_ch: int, out_ch: int, pool_time: int = 1, unused_bn1: bool = False) -> None:
        super().__init__()
        if unused_bn1:
            self.bn1 = nn.BatchNorm2d(in_ch)
        self.conv1 = nn.Conv2d(in_ch, out_ch, (2, 3), padding=(1, 1))
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.selu = nn.SELU()
        self.conv2 = nn.Conv2d(out_ch, out_ch, (2, 3), padding=(0, 1))
        self.downsample = in_ch != out_ch
        if self.downsample:
            self.conv_downsample = nn.Conv2d(in_ch, out_ch, (1, 3), padding=(0, 1))
        self.pool_time = pool_time

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv2(self.selu(self.bn2(self.conv1(x))))
        out = out + (self.conv_downsample(x) if self.downsample else x)
        return F.max_pool2d(out, (1, self.pool_time)) if self.pool_time > 1 else out


class GraphAttentionLayer(nn.Module):
    """GAL: attention from tanh-projected pairwise node products, temperature-scaled softmax;
    output = Linear(attention-weighted nodes) + Linear(nodes) → BN → SELU."""

    def __init__(self, in_dim: int, out_dim: int, temperature: float = 1.0) -> None:
        super().__init__()
        self.att_proj = nn.Linear(in_dim, out_dim)
        self.att_weight = _att_weight(out_dim)
        self.proj_with_att = nn.Linear(in_dim, out_dim)
        self.proj_without_att = nn.Linear(in_dim, out_dim)
        self.bn = nn.BatchNorm1d(out_dim)
        self.input_drop = nn.Dropout(0.2)
        self.act = nn.SELU()
        self.temp = temperature

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.input_drop(x)
        att = torch.tanh(self.att_proj(pairwise_products(x))) @ self.att_weight
        att = F.softmax(att / self.temp, dim=-2).squeeze(-1)
        out = self.proj_with_att(att @ x) + self.proj_without_att(x)
        return self.act(_bn_nodes(self.bn, out))


class HtrgGraphAttentionLayer(nn.Module):
    """HS-GAL: attention over the union of two node types (separate attention vectors for
    type1-type1, type2-type2 and cross pairs) plus a master node that attends to all nodes."""

    def __init__(self, in_dim: int, out_dim: int, temperature: float = 1.0) -> None:
        super().__init__()
        self.proj_type1 = nn.Linear(in_dim, in_dim)
        self.proj_type2 = nn.Linear(in_dim, in_dim)
        self.att_proj = nn.Linear(in_dim, out_dim)
        self.att_projM = nn.Linear(in_dim, out_dim)
        self.att_weight11 = _att_weight(out_dim)
        self.att_weight22 = _att_weight(out_dim)
        self.att_weight12 = _att_weight(out_dim)
        self.att_weightM = _att_weight(out_dim)
        self.proj_with_att = nn.Linear(in_dim, out_dim)
        self.proj_without_att = nn.Linear(in_dim, out_dim)
        self.proj_with_attM = nn.Linear(in_dim, out_dim)
        self.proj_without_attM = nn.Linear(in_dim, out_dim)
        self.bn = nn.BatchNorm1d(out_dim)
        self.input_drop = nn.Dropout(0.2)
        self.act = nn.SELU()
        self.temp = temperature

    def _node_attention(self, x: torch.Tensor, n1: int) -> torch.Tensor:
        proj = torch.tanh(self.att_proj(pairwise_products(x)))        # (B, N, N, D)
        same1 = torch.zeros(x.shape[1], x.shape[1], 1, dtype=torch.bool, device=x.device)
        same1[:n1, :n1] = True
        same2 = torch.zeros_like(same1)
        same2[n1:, n1:] = True
        att = torch.where(same1, proj @ self.att_weight11,
                          torch.where(same2, proj @ self.att_weight22, proj @ self.att_weight12))
        return F.softmax(att / self.temp, dim=-2).squeeze(-1)

    def _update_master(self, x: torch.Tensor, master: torch.Tensor) -> torch.Tensor:
        att = torch.tanh(self.att_projM(x * master)) @ self.att_weightM  # (B, N, 1)
        att = F.softmax(att / self.temp, dim=-2).squeeze(-1).unsqueeze(1)  # (B, 1, N)
        return self.proj_with_attM(att @ x) + self.proj_without_attM(master)

    def forward(self, x1: torch.Tensor, x2: torch.Tensor, master: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        n1 = x1.shape[1]
        x = torch.cat([self.proj_type1(x1), self.proj_type2(x2)], dim=1)
        if master is None:
            master = x.mean(dim=1, keepdim=True)
        x = self.input_drop(x)
        att = self._node_attention(x, n1)
        master = self._update_master(x, master)
        out = self.act(_bn_nodes(self.bn, self.proj_with_att(att @ x) + self.proj_without_att(x)))
        return out[:, :n1], out[:, n1:], master


class GraphPool(nn.Module):
    """Keep the top ``ratio`` share of nodes by a learnt sigmoid score (nodes scaled by it)."""

    def __init__(self, ratio: float, in_dim: int, dropout: float) -> None:
        super().__init__()
        self.k = ratio
        self.proj = nn.Linear(in_dim, 1)
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        scores = torch.sigmoid(self.proj(self.drop(h)))             # (B, N, 1)
        keep = max(int(h.shape[1] * self.k), 1)
        idx = torch.topk(scores, keep, dim=1)[1].expand(-1, -1, h.shape[-1])
        return torch.gather(h * scores, 1, idx)
