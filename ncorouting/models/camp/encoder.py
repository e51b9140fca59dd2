"""CAMP's encoder: initial embeddings of depot copies, agents and clients, the profiled client embeddings
[B, m, m+n, H], and layers that attend within each profile and across the agent-client bipartite graph."""

from __future__ import annotations

import torch
from rl4co.models.nn.attention import MultiHeadAttention
from tensordict import TensorDict
from torch import nn

from ncorouting.models.camp.features import agent_features, agent_index_encoding, client_features, num_agents
from ncorouting.models.camp.layers import BipartiteAttention, GatedMLP


class NodeEmbedding(nn.Module):
    """Node stream x0 [B, m+n, H]: agent rows (depot copy with a sinusoidal agent-index code, joined with the
    agent's capacity and speed), then client rows (polar features)."""

    def __init__(self, embed_dim: int):
        super().__init__()
        self.depot = nn.Linear(2, embed_dim, bias=False)
        self.agent_index = nn.Linear(embed_dim, embed_dim, bias=False)
        self.index_scale = nn.Parameter(torch.ones(1))
        self.agent = nn.Linear(4, embed_dim, bias=False)
        self.depot_agent = nn.Linear(2 * embed_dim, embed_dim, bias=False)
        self.client = nn.Linear(5, embed_dim, bias=False)

    def forward(self, td: TensorDict) -> torch.Tensor:
        m, embed_dim = num_agents(td), self.depot.out_features
        index = agent_index_encoding(m, embed_dim, td.device)
        depot = self.depot(td["locs"][:, :m]) + self.index_scale * self.agent_index(index)
        agents = self.depot_agent(torch.cat([depot, self.agent(agent_features(td))], -1))
        return torch.cat([agents, self.client(client_features(td))], 1)


class CAMPEmbedding(nn.Module):
    """Node stream x0 and profiled embeddings E0 [B, m, m+n, H]:
    E0[k, j] = W_x x0_j + W_p P[k, j] + W_a agent_k (a linear map of their concatenation)."""

    def __init__(self, embed_dim: int):
        super().__init__()
        self.nodes = NodeEmbedding(embed_dim)
        self.profile_node = nn.Linear(embed_dim, embed_dim, bias=False)
        self.profile_value = nn.Linear(1, embed_dim)
        self.profile_agent = nn.Linear(embed_dim, embed_dim, bias=False)

    def forward(self, td: TensorDict) -> tuple[torch.Tensor, torch.Tensor]:
        x0 = self.nodes(td)
        agents = x0[:, : num_agents(td)]
        e0 = (
            self.profile_node(x0)[:, None]
            + self.profile_value(td["profile"][..., None])
            + self.profile_agent(agents)[:, :, None]
        )
        return x0, e0


class CAMPEncoderLayer(nn.Module):
    """One layer on the node stream x [B, m+n, H] and the profile stream E [B, m, m+n, H] (pre-RMSNorm):
    self-attention inside each profile (A), bipartite agent-client attention whose edge (k, j) carries
    A[k, m+j], the profiled update E'[k, m+j] = W(a'_k + c'_j) (E'[k, j<m] = a'_j) plus A, a gated MLP
    on the node stream, and E <- Norm(Norm(E) + E')."""

    def __init__(self, embed_dim: int, num_heads: int, hidden_dim: int, dropout: float = 0.05):
        super().__init__()
        self.profile_norm = nn.RMSNorm(embed_dim)
        self.profile_attn = MultiHeadAttention(embed_dim, num_heads, bias=False)
        self.node_norm = nn.RMSNorm(embed_dim)
        self.bipartite = BipartiteAttention(embed_dim, dropout)
        self.pair = nn.Linear(embed_dim, embed_dim)
        self.mlp_norm = nn.RMSNorm(embed_dim)
        self.mlp = GatedMLP(embed_dim, hidden_dim)
        self.out_norm = nn.RMSNorm(embed_dim)

    def forward(self, x: torch.Tensor, profiles: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        batch, m, n_nodes, embed_dim = profiles.shape
        normed = self.profile_norm(profiles)
        attended = self.profile_attn(normed.reshape(batch * m, n_nodes, embed_dim)).view_as(profiles)
        nodes = self.node_norm(x)
        agents, clients = nodes[:, :m], nodes[:, m:]
        to_agents, to_clients = self.bipartite(agents, clients, attended[:, :, m:])
        agents, clients = agents + to_agents, clients + to_clients
        update = torch.cat(
            [agents[:, None].expand(batch, m, m, embed_dim), self.pair(agents[:, :, None] + clients[:, None])], 2
        )
        x = x + torch.cat([to_agents, to_clients], 1)
        x = x + self.mlp(self.mlp_norm(x))
        return x, self.out_norm(normed + update + attended)


class CAMPEncoder(nn.Module):
    """Embedding, `num_layers` CAMP layers and a final RMSNorm: returns h [B, m, m+n, H] and E0."""

    def __init__(self, embed_dim: int, num_heads: int, num_layers: int, hidden_dim: int):
        super().__init__()
        self.embedding = CAMPEmbedding(embed_dim)
        self.layers = nn.ModuleList(CAMPEncoderLayer(embed_dim, num_heads, hidden_dim) for _ in range(num_layers))
        self.norm = nn.RMSNorm(embed_dim)

    def forward(self, td: TensorDict) -> tuple[torch.Tensor, torch.Tensor]:
        x, e0 = self.embedding(td)
        profiles = e0
        for layer in self.layers:
            x, profiles = layer(x, profiles)
        return self.norm(profiles), e0
