"""RRNCO's adaptive node embedding: each node's sorted distances to sampled near neighbours (out of it:
row, into it: column), mixed with its coordinate features by a learned per-node gate (contextual gating),
then combined with the problem's node features. Gives two streams, row and column embeddings."""

from __future__ import annotations

import torch
from torch import nn

from ncorouting.models.rrnco.features import RRNCOInputs


def neighbour_distances(dist: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """For each node i, k neighbours S_i drawn with probability proportional to 1 / D[i, j] (without
    replacement when the instance has enough nodes, never i itself); returns sorted D[i, S_i] and
    D[S_i, i], each [B, n, k]. Drawn afresh at every call, as in the paper."""
    b, n, _ = dist.shape
    weights = 1.0 / (dist + 1e-6)
    weights = weights.masked_fill(torch.eye(n, dtype=torch.bool, device=dist.device), 0.0)
    index = torch.multinomial(weights.reshape(b * n, n), k, replacement=n - 1 < k).reshape(b, n, k)
    rows = dist.gather(2, index).sort(-1).values
    cols = dist.transpose(1, 2).gather(2, index).sort(-1).values
    return rows, cols


class ContextualGate(nn.Module):
    """h = g * coordinate feature + (1 - g) * distance feature, g = sigmoid(MLP([both])) per node."""

    def __init__(self, embed_dim: int):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(2 * embed_dim, 2 * embed_dim), nn.ReLU(), nn.Linear(2 * embed_dim, 1))

    def forward(self, coord: torch.Tensor, dist: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(self.mlp(torch.cat([coord, dist], -1)))
        return gate * coord + (1 - gate) * dist


class AdaptiveNodeEmbedding(nn.Module):
    """Row and column node embeddings [B, n, E] from distances, coordinates and node features.

    `node_features` is the number of per-node features (0: ATSP; 1: demand; 4: demand and time window
    and service time). With node features, node 0 is a depot: it gets its own coordinate embedding and
    clients also see their angle to the depot."""

    def __init__(self, embed_dim: int, num_neighbours: int, node_features: int = 0):
        super().__init__()
        self.k = num_neighbours
        self.depot = node_features > 0
        self.row_dist = nn.Linear(num_neighbours, embed_dim)
        self.col_dist = nn.Linear(num_neighbours, embed_dim)
        self.coord = nn.Linear(3 if self.depot else 2, embed_dim)
        self.depot_coord = nn.Linear(2, embed_dim) if self.depot else None
        self.row_gate = ContextualGate(embed_dim)
        self.col_gate = ContextualGate(embed_dim)
        if node_features:
            self.node = nn.Linear(node_features, embed_dim)
            self.row_mix = nn.Linear(2 * embed_dim, embed_dim)
            self.col_mix = nn.Linear(2 * embed_dim, embed_dim)

    def coordinate_features(self, locs: torch.Tensor) -> torch.Tensor:
        if not self.depot:
            return self.coord(locs)
        rel = locs[:, 1:] - locs[:, :1]
        angle = torch.atan2(rel[..., 1], rel[..., 0])[..., None] / torch.pi
        clients = self.coord(torch.cat([locs[:, 1:], angle], -1))
        return torch.cat([self.depot_coord(locs[:, :1]), clients], 1)

    def forward(self, inputs: RRNCOInputs) -> tuple[torch.Tensor, torch.Tensor]:
        rows, cols = neighbour_distances(inputs.dist, self.k)
        coord = self.coordinate_features(inputs.locs)
        row = self.row_gate(coord, self.row_dist(rows))
        col = self.col_gate(coord, self.col_dist(cols))
        if inputs.node_features is not None:
            node = self.node(inputs.node_features)
            row = self.row_mix(torch.cat([row, node], -1))
            col = self.col_mix(torch.cat([col, node], -1))
        return row, col
