"""The BQ networks: transformers over the tokens of a reduced state, with no separate decoder.

Node features are embedded linearly; learned vectors mark the origin (first token) and destination
(last token); no positional encoding, so the remaining nodes form a set. Each layer is ReZero style
(x + a * sublayer(x), one scalar a per sublayer starting at 0, no normalisation). A linear head gives
one score per token and option (TSP, ATSP: 1; CVRP: direct, via depot). For ATSP (no coordinates)
each layer first convolves over the cost sub-matrix and its attention logits get a learned per-head
bias from the costs both ways (the paper's "BQ-GCN-transformer"; the exact convolution is ours, see
docs/bq.md). Written here because rl4co has no BQ model; the attention itself is torch's.
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

    def forward(self, x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        """`bias` [B, heads, n, n] is added to the attention logits."""
        batch, n, dim = x.shape
        q, k, v = self.qkv(x).view(batch, n, 3, self.num_heads, dim // self.num_heads).permute(2, 0, 3, 1, 4)
        attn = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).reshape(batch, n, dim)
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

    def embed_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """Linear embedding with the origin and destination marks added."""
        x = self.embed(tokens)
        return torch.cat([x[:, :1] + self.ends.weight[0], x[:, 1:-1], x[:, -1:] + self.ends.weight[1]], dim=1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed_tokens(tokens)
        for layer in self.layers:
            x = layer(x)
        return self.head(x)


class CostConvolution(nn.Module):
    """h + a * ReLU(W [A_out h; A_in h]): each node averages its neighbours weighted by 1 - cost (costs
    in [0, 1]), along outgoing and incoming arcs separately, with a ReZero gate from 0."""

    def __init__(self, embed_dim: int):
        super().__init__()
        self.mix = nn.Linear(2 * embed_dim, embed_dim)
        self.alpha = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
        eye = torch.eye(matrix.size(-1), dtype=torch.bool, device=matrix.device)
        weight = (1.0 - matrix).clamp_min(0.0).masked_fill(eye, 0.0)
        out_arcs = weight / weight.sum(-1, keepdim=True).clamp_min(1e-9)
        in_arcs = weight.transpose(1, 2) / weight.sum(1)[..., None].clamp_min(1e-9)
        return x + self.alpha * F.relu(self.mix(torch.cat([out_arcs @ x, in_arcs @ x], dim=-1)))


class BQMatrixTransformer(BQTransformer):
    """Scores [B, n, options] for a matrix state: tokens [B, n, features] and costs [B, n, n] in [0, 1].
    Built with `BQTransformer`'s arguments; each of its layers gets a cost convolution and a bias."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        embed_dim = self.embed.out_features
        self.convolutions = nn.ModuleList(CostConvolution(embed_dim) for _ in self.layers)
        self.biases = nn.ModuleList(nn.Linear(2, layer.num_heads) for layer in self.layers)

    def forward(self, tokens: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
        x = self.embed_tokens(tokens)
        both_ways = torch.stack([matrix, matrix.transpose(1, 2)], dim=-1)  # [B, n, n, 2]: c_ij, c_ji
        for conv, bias, layer in zip(self.convolutions, self.biases, self.layers, strict=True):
            x = layer(conv(x, matrix), bias(both_ways).permute(0, 3, 1, 2))
        return self.head(x)
