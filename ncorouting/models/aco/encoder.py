"""GNN heatmap encoder on sparse k-NN graphs: rl4co's anisotropic edge-gated GNN (`GNNEncoder`) and
heatmap MLP (`EdgeHeatmapGenerator`), fed by our graph builder with features computed from edge
costs alone, so matrix-only instances work and no n x n tensor is built (rl4co's edge embedding
computes a dense distance matrix from coordinates and its heatmap generator a dense n x n heatmap).
"""

from __future__ import annotations

import torch
from rl4co.models.common.constructive.nonautoregressive import NonAutoregressiveEncoder
from rl4co.models.nn.graph.gnn import GNNEncoder
from rl4co.models.zoo.nargnn.encoder import EdgeHeatmapGenerator
from tensordict import TensorDict
from torch import nn

from ncorouting.graphs import CostSource, KnnGraph, knn_graph
from ncorouting.models.aco.heatmap import SparseHeatmap

NODE_FEATURES = 4  # demand / capacity, is depot, nearest-neighbour cost, mean cost to its k neighbours
EDGE_FEATURES = 3  # cost, rank in its row / k, touches the depot (costs in units of the instance scale)
#: Smallest heatmap value before the log, as rl4co's generator uses for float32.
HEATMAP_EPS = 1e-12


class SparseEdgeHeatmap(EdgeHeatmapGenerator):
    """rl4co's edge MLP (sigmoid per edge); log-probabilities stay per edge, [B, E]."""

    def _make_heatmap_logits(self, batch_graph) -> torch.Tensor:
        return torch.log(batch_graph.edge_attr.view(batch_graph.num_graphs, -1) + HEATMAP_EPS)


def graph_features(graph: KnnGraph, demand: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Node features [B, n, 4], edge features [B, E, 3] and the instance scale [B] (mean cost from a
    node to its nearest neighbour, so that features mean the same at 100 and at 1,000 nodes)."""
    n, k, batch = graph.num_nodes, graph.k, graph.batch_size
    costs = graph.costs.float()
    rows = costs[:, n - 1 :].view(batch, n - 1, k) if graph.depot else costs.view(batch, n, k)
    nearest = rows[..., min(1, k - 1)] if graph.depot else rows[..., 0]  # clients: slot 0 is the depot
    scale = nearest.mean(-1).clamp(min=1e-9)
    edge_cost = costs / scale[:, None]
    rank = (torch.arange(graph.num_edges, device=costs.device) - graph.row_start(graph.sources)) / k
    touches = graph.depot * ((graph.sources == 0) | (graph.targets == 0)).float()
    if graph.depot:
        rank = torch.where(graph.sources == 0, 0.0, rank)
    edge_x = torch.stack([edge_cost, rank.float().expand(batch, -1), touches.expand(batch, -1)], -1)
    node_x = torch.zeros(batch, n, NODE_FEATURES, device=costs.device)
    node_rows = rows / scale[:, None, None]
    first = 1 if graph.depot else 0
    node_x[:, first:, 2] = nearest / scale[:, None]
    node_x[:, first:, 3] = node_rows.mean(-1)
    if graph.depot:
        depot_costs = costs[:, : n - 1] / scale[:, None]
        node_x[:, 0, 1] = 1.0
        node_x[:, 0, 2] = depot_costs.min(-1).values
        node_x[:, 0, 3] = depot_costs.mean(-1)
        node_x[:, 1:, 0] = demand
    return node_x, edge_x, scale


class SparseGraphEncoder(NonAutoregressiveEncoder):
    """Heatmap logits on the k-NN graph of each instance (GFACS: also log Z from `z_out_dim` heads)."""

    def __init__(
        self,
        env_name: str = "tsp",
        k: int = 20,
        embed_dim: int = 32,
        num_layers: int = 12,
        heatmap_layers: int = 3,
        z_out_dim: int = 0,
    ):
        super().__init__()
        self.env_name, self.k, self.embed_dim, self.depot = env_name, k, embed_dim, env_name == "cvrp"
        self.node_embed = nn.Linear(NODE_FEATURES, embed_dim)
        self.edge_embed = nn.Linear(EDGE_FEATURES, embed_dim)
        self.graph_network = GNNEncoder(num_layers=num_layers, embed_dim=embed_dim)
        self.heatmap_generator = SparseEdgeHeatmap(embed_dim, heatmap_layers)
        self.z_net = (
            nn.Sequential(nn.Linear(embed_dim, embed_dim), nn.SiLU(), nn.Linear(embed_dim, z_out_dim))
            if z_out_dim
            else None
        )

    def forward(self, td: TensorDict):
        """rl4co's encoder interface: (heatmap, node embeddings[, log Z]) for a batch of coordinates."""
        costs = CostSource(coords=td["locs"])
        return self.encode(costs, td.get("demand", None))

    def encode(self, costs: CostSource, demand: torch.Tensor | None, graph: KnnGraph | None = None):
        """Encode instances given by their costs (and client demands / capacity, for CVRP)."""
        graph = graph or knn_graph(costs, self.k, depot=self.depot)
        node_x, edge_x, scale = graph_features(graph, demand)
        batch = graph.to_pyg(self.node_embed(node_x), self.edge_embed(edge_x))
        batch.x, batch.edge_attr = self.graph_network(batch.x, batch.edge_index, batch.edge_attr)
        edge_h = batch.edge_attr
        heatmap = SparseHeatmap(graph, self.heatmap_generator(batch), costs, scale)
        node_h = batch.x.view(graph.batch_size, graph.num_nodes, -1)
        if self.z_net is None:
            return heatmap, node_h
        # log Z per instance: mean over that instance's edges (rl4co's reshape mixes instances of a batch)
        log_z = self.z_net(edge_h).view(graph.batch_size, graph.num_edges, -1).mean(1)
        return heatmap, node_h, log_z
