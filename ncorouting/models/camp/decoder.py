"""CAMP's decoder: per-step agent queries from each agent's own profile, a communication layer over the m
queries, and a batched pointer: agent k attends to and points into its own profile's keys only."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from tensordict import TensorDict
from torch import nn

from ncorouting.models.camp.features import progress, state_features
from ncorouting.models.camp.layers import TransformerBlock


@dataclass
class DecoderCache:
    """What the decoder computes once per episode from the encoder output h [B, m, N, H]."""

    keys: torch.Tensor  # [B, m, heads, N, d]
    values: torch.Tensor  # [B, m, heads, N, d]
    logit_keys: torch.Tensor  # [B, m, N, H]
    at_node: torch.Tensor  # [B, m, N, H]: query part of agent k standing at node j
    own: torch.Tensor  # [B, m, H]: query part of agent k's own depot embedding


class CAMPDecoder(nn.Module):
    """q_k = W [h[k, cur_k]; h[k, k]; state_k; progress], communication block over agents, then
    glimpse_k = MHA(q_k, K_k, V_k; mask_k) and logits[k, j] = glimpse_k . L[k, j] / sqrt(H)."""

    def __init__(self, embed_dim: int, num_heads: int, hidden_dim: int):
        super().__init__()
        self.num_heads = num_heads
        self.key_value_logit = nn.Linear(embed_dim, 3 * embed_dim, bias=False)
        self.at_node = nn.Linear(embed_dim, embed_dim, bias=False)
        self.own = nn.Linear(embed_dim, embed_dim, bias=False)
        self.state = nn.Linear(3, embed_dim, bias=False)
        self.progress = nn.Linear(1, embed_dim, bias=False)
        self.communication = TransformerBlock(embed_dim, num_heads, hidden_dim)
        self.glimpse_out = nn.Linear(embed_dim, embed_dim, bias=False)

    def precompute(self, h: torch.Tensor) -> DecoderCache:
        batch, m, n_nodes, embed_dim = h.shape
        keys, values, logit_keys = self.key_value_logit(h).chunk(3, dim=-1)

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, m, n_nodes, self.num_heads, -1).transpose(2, 3)

        own = h[:, torch.arange(m), torch.arange(m)]  # h[b, k, k]
        return DecoderCache(heads(keys), heads(values), logit_keys, self.at_node(h), self.own(own))

    def forward(self, td: TensorDict, cache: DecoderCache) -> torch.Tensor:
        """Logits [B, m, N] of every agent over its own profile's nodes."""
        batch, m, n_nodes, embed_dim = cache.logit_keys.shape
        current = td["current_node"]
        at_node = cache.at_node.gather(2, current[:, :, None, None].expand(-1, -1, 1, embed_dim)).squeeze(2)
        query = at_node + cache.own + self.state(state_features(td)) + self.progress(progress(td))[:, None]
        query = self.communication(query)  # [B, m, H]
        q = query.view(batch, m, self.num_heads, 1, -1)
        mask = td["action_mask"][:, :, None, None, :]
        glimpse = nn.functional.scaled_dot_product_attention(q, cache.keys, cache.values, attn_mask=mask)
        glimpse = self.glimpse_out(glimpse.reshape(batch, m, embed_dim))
        return torch.einsum("bmh,bmnh->bmn", glimpse, cache.logit_keys) / math.sqrt(embed_dim)
