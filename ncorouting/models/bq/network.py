"""The BQ network: a transformer over the tokens of a reduced state, with no separate decoder.

Node features are embedded linearly; learned vectors mark the origin (first token) and destination
(last token); no positional encoding, so the remaining nodes form a set. Each layer is ReZero style
(x + a * sublayer(x), one scalar a per sublayer starting at 0, no normalisation). A linear head gives
one score per token and option (TSP: 1; CVRP: direct, via depot). Written here because rl4co has no
BQ model; the attention itself is torch's.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ReZeroLayer(nn.Module):
    """Multi-head self-attention and a ReLU feed-forward block, each added with a learned gate from 0."""

    def __init__(self, embed_dim: int, num_heads: int, ff_dim: int):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} is not a multiple of num_heads {num_heads}")
        self.num_heads = num_heads
        self.qkv = nn.Linear(embed_dim, 3 * embed_dim)
        self.out = nn.Linear(embed_dim, embed_dim)
        self.ff = nn.Sequential(nn.Linear(embed_dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, embed_dim))
        self.alpha_attn = nn.Parameter(torch.zeros(1))
        self.alpha_ff = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, n, dim = x.shape
        q, k, v = self.qkv(x).view(batch, n, 3, self.num_heads, dim // self.num_heads).permute(2, 0, 3, 1, 4)
        attn = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(batch, n, dim)
        x = x + self.alpha_attn * self.out(attn)
        return x + self.alpha_ff * self.ff(x)


class BQTransformer(nn.Module):
    """Scores [B, n, options] for the tokens [B, n, features] of a path sub-problem."""

    def __init__(
        self,
        num_features: int,
        num_options: int,
        embed_dim: int = 128,
        num_layers: int = 4,
        num_heads: int = 8,
        ff_dim: int = 256,
    ):
        super().__init__()
        self.embed = nn.Linear(num_features, embed_dim)
        self.ends = nn.Embedding(2, embed_dim)  # 0: origin, 1: destination
        self.layers = nn.ModuleList(ReZeroLayer(embed_dim, num_heads, ff_dim) for _ in range(num_layers))
        self.head = nn.Linear(embed_dim, num_options)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens)
        x = torch.cat([x[:, :1] + self.ends.weight[0], x[:, 1:-1], x[:, -1:] + self.ends.weight[1]], dim=1)
        for layer in self.layers:
            x = layer(x)
        return self.head(x)
