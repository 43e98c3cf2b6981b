"""The spectro-temporal graph half of AASIST (Jung et al., ICASSP 2022), shared by the raw-wave
AASIST (:mod:`spoofcm.models.raw_aasist`) and SSL-AASIST (:mod:`spoofcm.models.aasist`).

Spectral and temporal node sets → one GAL each → graph pooling → two branches of two HS-GALs
with a learnt master node each (pooling between, residual update by the second) → element-wise
max of the branches → readout [max |T|, mean T, max |S|, mean S, master] → dropout → Linear → 2
logits (index 0 spoof, 1 bona fide). The layers are attributes of the model itself, under the
authors' names, so released state dicts map onto ours key for key.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from spoofcm.models.aasist_layers import GraphAttentionLayer, GraphPool, HtrgGraphAttentionLayer


class SpectroTemporalGraph(nn.Module):
    """Base class of AASIST models: call :meth:`build_graph` in ``__init__``, then
    :meth:`graph_logits` on the (B, nodes, C) spectral and temporal node features."""

    def build_graph(self, ch: int, gat_dims: Sequence[int], pool_ratios: Sequence[float],
                    temperatures: Sequence[float]) -> None:
        g0, g1 = (int(d) for d in gat_dims)
        self.drop = nn.Dropout(0.5)
        self.drop_way = nn.Dropout(0.2)
        self.master1 = nn.Parameter(torch.randn(1, 1, g0))
        self.master2 = nn.Parameter(torch.randn(1, 1, g0))
        self.GAT_layer_S = GraphAttentionLayer(ch, g0, temperatures[0])
        self.GAT_layer_T = GraphAttentionLayer(ch, g0, temperatures[1])
        for name, dims in (("11", (g0, g1)), ("12", (g1, g1)), ("21", (g0, g1)), ("22", (g1, g1))):
            setattr(self, f"HtrgGAT_layer_ST{name}", HtrgGraphAttentionLayer(*dims, temperatures[2]))
        self.pool_S = GraphPool(pool_ratios[0], g0, 0.3)
        self.pool_T = GraphPool(pool_ratios[1], g0, 0.3)
        for name in ("hS1", "hT1", "hS2", "hT2"):
            setattr(self, f"pool_{name}", GraphPool(pool_ratios[2], g1, 0.3))
        self.out_layer = nn.Linear(5 * g1, 2)

    def _branch(self, out_t: torch.Tensor, out_s: torch.Tensor, master: torch.Tensor, k: int):
        """Two stacked HS-GALs with pooling in between; the second adds a residual update."""
        first = getattr(self, f"HtrgGAT_layer_ST{k}1")
        second = getattr(self, f"HtrgGAT_layer_ST{k}2")
        t1, s1, m1 = first(out_t, out_s, master=master)
        s1, t1 = getattr(self, f"pool_hS{k}")(s1), getattr(self, f"pool_hT{k}")(t1)
        t_aug, s_aug, m_aug = second(t1, s1, master=m1)
        return self.drop_way(t1 + t_aug), self.drop_way(s1 + s_aug), self.drop_way(m1 + m_aug)

    def graph_logits(self, e_s: torch.Tensor, e_t: torch.Tensor) -> torch.Tensor:
        """Logits (B, 2) from spectral ``e_s`` and temporal ``e_t`` nodes (B, nodes, C)."""
        out_s = self.pool_S(self.GAT_layer_S(e_s))
        out_t = self.pool_T(self.GAT_layer_T(e_t))
        t1, s1, m1 = self._branch(out_t, out_s, self.master1, 1)
        t2, s2, m2 = self._branch(out_t, out_s, self.master2, 2)
        out_t, out_s, master = torch.maximum(t1, t2), torch.maximum(s1, s2), torch.maximum(m1, m2)
        hidden = torch.cat([out_t.abs().amax(dim=1), out_t.mean(dim=1), out_s.abs().amax(dim=1),
                            out_s.mean(dim=1), master.squeeze(1)], dim=1)
        return self.out_layer(self.drop(hidden))
