"""Sparse heatmaps: one logit per k-NN edge instead of rl4co's dense n x n heatmap, and the decoder
that turns them into next-node logits for rl4co's decoding strategies (training) and the ant colony.

rl4co's `NonAutoregressiveDecoder` indexes an [B, n, n] heatmap; ours scatters the current node's
k edges into a row and gives every other feasible node a fallback logit far below the row's best,
decreasing with its distance: when all k neighbours are taken the ant moves to a near feasible node
rather than a uniformly random one (rl4co's dense heatmap gives those a uniform 1e-12).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from rl4co.models.common.constructive.nonautoregressive.decoder import NonAutoregressiveDecoder
from tensordict import TensorDict

from ncorouting.graphs import CostSource, KnnGraph

#: Fallback logits sit this far below the best logit of the current node's row ...
FALLBACK_GAP = 20.0
#: ... and fall by this much per unit of distance (in units of the instance's nearest-neighbour scale).
FALLBACK_SLOPE = 2.0


def batch_index(rows: int, batch_size: int, device: torch.device) -> torch.Tensor:
    """Instance of each of `rows` decoding rows: rl4co's batchify repeats the batch, row r is r mod B."""
    return torch.arange(rows, device=device) % batch_size


@dataclass
class SparseHeatmap:
    """Edge logits [B, E] on `graph`, with the costs and scale [B] used for fallback moves."""

    graph: KnnGraph
    logits: torch.Tensor
    costs: CostSource
    scale: torch.Tensor

    def next_logits(self, weights: torch.Tensor, td: TensorDict) -> torch.Tensor:
        """Logits [R, n] of the next node for each decoding row of `td`, from edge weights [B, E]."""
        rows = td.batch_size[0]
        b = batch_index(rows, weights.size(0), weights.device)
        current = td["current_node"].reshape(rows)
        edges = self.graph.row_edges(current)
        row_w = weights[b[:, None], edges]
        dist = self.costs.rows(b, current).to(weights.dtype) / self.scale[b, None]
        top = row_w.detach().max(-1, keepdim=True).values
        logits = (top - FALLBACK_GAP - FALLBACK_SLOPE * dist).scatter(1, self.graph.targets[b[:, None], edges], row_w)
        if self.graph.depot:  # from the depot: its own row over all clients
            n = self.graph.num_nodes
            depot_row = torch.cat([logits[:, :1], weights[b, : n - 1]], 1)
            logits = torch.where(current[:, None] == 0, depot_row, logits)
        return logits


class SparseHeatmapDecoder(NonAutoregressiveDecoder):
    """rl4co's non-autoregressive decoder on a `SparseHeatmap` (no trainable parameters)."""

    def forward(self, td: TensorDict, hidden: SparseHeatmap, num_starts: int):
        return hidden.next_logits(hidden.logits, td), td["action_mask"]
