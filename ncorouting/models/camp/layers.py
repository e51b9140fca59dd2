"""Building blocks of CAMP (pre-norm RMSNorm transformer pieces): gated MLP, a transformer block over a set
(the agents' communication layer) and the bipartite agent-client attention with edge features.

rl4co has no RMSNorm/gated-MLP block or bipartite attention with edge features, so they are written here;
self-attention is rl4co's `MultiHeadAttention`.
"""

from __future__ import annotations

import math

import torch
from rl4co.models.nn.attention import MultiHeadAttention
from torch import nn


class GatedMLP(nn.Module):
    """SiLU-gated feed-forward: W2 (SiLU(W1 x) * W3 x)."""

    def __init__(self, embed_dim: int, hidden_dim: int):
        super().__init__()
        self.gate_up = nn.Linear(embed_dim, 2 * hidden_dim, bias=False)
        self.down = nn.Linear(hidden_dim, embed_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.down(nn.functional.silu(gate) * up)


class TransformerBlock(nn.Module):
    """Pre-RMSNorm self-attention and gated MLP with residuals, then a final RMSNorm: [..., S, H] -> same."""

    def __init__(self, embed_dim: int, num_heads: int, hidden_dim: int):
        super().__init__()
        self.attn_norm = nn.RMSNorm(embed_dim)
        self.attn = MultiHeadAttention(embed_dim, num_heads, bias=False)
        self.mlp_norm = nn.RMSNorm(embed_dim)
        self.mlp = GatedMLP(embed_dim, hidden_dim)
        self.out_norm = nn.RMSNorm(embed_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        x = x.reshape(-1, *shape[-2:])
        x = x + self.attn(self.attn_norm(x))
        x = x + self.mlp(self.mlp_norm(x))
        return self.out_norm(x).view(shape)


class BipartiteAttention(nn.Module):
    """Single-head attention between agents [B, m, H] and clients [B, n, H] in both directions with shared
    weights (a graph-transformer convolution on the complete bipartite graph, written with einsum); the edge
    feature e[k, j] [B, m, n, H] is added to keys and values. Returns the messages to agents and clients."""

    def __init__(self, embed_dim: int, dropout: float = 0.05):
        super().__init__()
        self.query = nn.Linear(embed_dim, embed_dim)
        self.key = nn.Linear(embed_dim, embed_dim)
        self.value = nn.Linear(embed_dim, embed_dim)
        self.edge = nn.Linear(embed_dim, embed_dim, bias=False)
        self.dropout = nn.Dropout(dropout)
        self.scale = 1 / math.sqrt(embed_dim)

    def forward(
        self, agents: torch.Tensor, clients: torch.Tensor, edges: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        edge = self.edge(edges)  # [B, m, n, H]
        q_a, k_a, v_a = self.query(agents), self.key(agents), self.value(agents)
        q_c, k_c, v_c = self.query(clients), self.key(clients), self.value(clients)
        # agents attend to clients: keys/values of client j seen from agent k carry edge (k, j)
        score_a = (torch.einsum("bmh,bnh->bmn", q_a, k_c) + torch.einsum("bmh,bmnh->bmn", q_a, edge)) * self.scale
        attn_a = self.dropout(score_a.softmax(-1))
        to_agents = torch.einsum("bmn,bnh->bmh", attn_a, v_c) + torch.einsum("bmn,bmnh->bmh", attn_a, edge)
        # clients attend to agents, over the same edges (k, j)
        score_c = (torch.einsum("bnh,bmh->bnm", q_c, k_a) + torch.einsum("bnh,bmnh->bnm", q_c, edge)) * self.scale
        attn_c = self.dropout(score_c.softmax(-1))
        to_clients = torch.einsum("bnm,bmh->bnh", attn_c, v_a) + torch.einsum("bnm,bmnh->bnh", attn_c, edge)
        return to_agents, to_clients
