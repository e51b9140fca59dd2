"""Sequential attention model for the profiled VRP: a transformer encoder over depot copies and clients
(rl4co's `GraphAttentionNetwork`), and a decoder that scores every (vehicle, node) pair; one softmax over
all pairs picks which vehicle moves and where. Profiles enter the decoder's keys, per vehicle."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from rl4co.models.nn.graph.attnnet import GraphAttentionNetwork
from tensordict import TensorDict
from torch import nn

from ncorouting.models.camp.encoder import NodeEmbedding
from ncorouting.models.camp.features import num_agents, progress, state_features
from ncorouting.models.camp.policy import PVRPPolicyBase


@dataclass
class SeqCache:
    """Per-episode decoder inputs: node embeddings h [B, N, H]; per vehicle k, keys (split in heads),
    values and logit keys of every node j, the shared ones plus vehicle k's profile P[k, j] [B, m, N, ...]."""

    h: torch.Tensor
    keys: torch.Tensor
    values: torch.Tensor
    logit_keys: torch.Tensor


class SeqAMPolicy(PVRPPolicyBase):
    """Attention-model encoder (3 layers, H = 128, 8 heads by default) and a joint (vehicle, node) pointer."""

    sequential = True

    def __init__(
        self,
        env_name: str = "pvrp_p",
        embed_dim: int = 128,
        num_heads: int = 8,
        num_encoder_layers: int = 3,
        tanh_clipping: float = 10.0,
        train_decode_type: str = "sampling",
    ):
        super().__init__(env_name, embed_dim, tanh_clipping, train_decode_type)
        self.num_heads = num_heads
        self.embedding = NodeEmbedding(embed_dim)
        self.encoder = GraphAttentionNetwork(num_heads, embed_dim, num_encoder_layers, normalization="instance")
        self.key_value_logit = nn.Linear(embed_dim, 3 * embed_dim, bias=False)
        self.profile_key = nn.Linear(1, embed_dim, bias=False)  # vehicle k's profile of node j, in k's keys
        self.profile_logit = nn.Linear(1, embed_dim, bias=False)
        self.at_node = nn.Linear(embed_dim, embed_dim, bias=False)
        self.own = nn.Linear(embed_dim, embed_dim, bias=False)
        self.state = nn.Linear(3, embed_dim, bias=False)
        self.progress = nn.Linear(1, embed_dim, bias=False)
        self.glimpse_out = nn.Linear(embed_dim, embed_dim, bias=False)

    def encode(self, td: TensorDict):
        x0 = self.embedding(td)
        h = self.encoder(x0)
        keys, values, logit_keys = self.key_value_logit(h).chunk(3, dim=-1)
        batch, n_nodes, embed_dim = h.shape
        m, profile = num_agents(td), td["profile"][..., None]

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, m, n_nodes, self.num_heads, -1).transpose(2, 3)

        keys = heads(keys[:, None] + self.profile_key(profile))  # [B, m, heads, N, d]
        values = heads(values[:, None].expand(batch, m, n_nodes, embed_dim))
        logit_keys = logit_keys[:, None] + self.profile_logit(profile)  # [B, m, N, H]
        return SeqCache(h, keys, values, logit_keys), x0

    def logits(self, td: TensorDict, cache: SeqCache) -> torch.Tensor:
        """Scores [B, m, N] of every vehicle for every node."""
        batch, n_nodes, embed_dim = cache.h.shape
        m = num_agents(td)
        here = cache.h.gather(1, td["current_node"][..., None].expand(-1, -1, embed_dim))
        query = self.at_node(here) + self.own(cache.h[:, :m]) + self.state(state_features(td))
        query = query + self.progress(progress(td))[:, None]  # [B, m, H]
        q = query.view(batch, m, self.num_heads, 1, -1)
        mask = td["action_mask"][:, :, None, None, :]
        glimpse = nn.functional.scaled_dot_product_attention(q, cache.keys, cache.values, attn_mask=mask)
        glimpse = self.glimpse_out(glimpse.reshape(batch, m, embed_dim))
        return torch.einsum("bmh,bmnh->bmn", glimpse, cache.logit_keys) / math.sqrt(embed_dim)
