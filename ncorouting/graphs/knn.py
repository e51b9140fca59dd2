"""Sparse k-nearest-neighbour graphs of routing instances, in O(n * k) memory, as torch-geometric batches.

Layout of one instance's directed edges (every batch row shares it, so per-edge tensors are [B, E]):
- without a depot (TSP): node i's k cheapest out-edges, E = n * k, row of i at i * k;
- with a depot (CVRP): the depot's edges to every client first (n - 1 of them, in client order), then
  for each client i its edge back to the depot and its k - 1 cheapest edges to other clients,
  E = (n - 1) * (k + 1), row of client i at (n - 1) + (i - 1) * k. Every client keeps the depot, as a
  vehicle must be able to return and leave from there to anywhere.

Neighbours come from `CostSource` rows in chunks, so costs are the matrix's own (TSPLIB rounding,
road distances, asymmetric ones: row i holds out-edges of i). torch_geometric's own `knn_graph` needs
torch-cluster (not a dependency) and coordinates, so selection is ours; the batch is PyG's.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Batch, Data

from ncorouting.errors import InputError
from ncorouting.graphs.costs import CostSource

#: Neighbours per node unless told otherwise (n - 1 on smaller instances).
DEFAULT_K = 50
#: Rows of costs looked at per chunk while selecting neighbours: bounds the temporary to CHUNK x n.
CHUNK_ROWS = 128


def effective_k(k: int | None, num_nodes: int) -> int:
    """`k` (default 50) capped at n - 1; a k below 2 is refused: a tour needs two neighbours per node."""
    k = DEFAULT_K if k is None else k
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise InputError(f"k-nearest-neighbour graphs need k >= 2 neighbours per node, got k={k}")
    return max(1, min(k, num_nodes - 1))


@dataclass
class KnnGraph:
    """Directed sparse graph of a batch: `targets` [B, E], exact `costs` [B, E], shared `sources` [E]."""

    num_nodes: int
    k: int
    depot: bool
    sources: torch.Tensor
    targets: torch.Tensor
    costs: torch.Tensor

    @property
    def batch_size(self) -> int:
        return self.targets.size(0)

    @property
    def num_edges(self) -> int:
        return self.sources.numel()

    def row_start(self, nodes: torch.Tensor) -> torch.Tensor:
        """First edge id of each node's row of k (clients only, with a depot)."""
        if self.depot:
            return (self.num_nodes - 1) + (nodes - 1).clamp(min=0) * self.k
        return nodes * self.k

    def row_edges(self, nodes: torch.Tensor) -> torch.Tensor:
        """Edge ids [R, k] of the k-edge rows of `nodes` [R] (for the depot: meaningless, use `depot_edges`)."""
        return self.row_start(nodes)[:, None] + torch.arange(self.k, device=nodes.device)

    def edge_ids(self, paths: torch.Tensor, batch_index: torch.Tensor) -> torch.Tensor:
        """Edge id of each step of `paths` [R, L] -> [R, L - 1]; -1 where the step is not a graph edge."""
        frm, to = paths[:, :-1], paths[:, 1:]
        ids = self.row_start(frm)[..., None] + torch.arange(self.k, device=paths.device)
        hit = self.targets[batch_index[:, None, None], ids] == to[..., None]
        found = torch.where(hit.any(-1), ids.gather(-1, hit.int().argmax(-1, keepdim=True)).squeeze(-1), -1)
        if self.depot:
            found = torch.where(frm == 0, torch.where(to > 0, to - 1, -1), found)
        return torch.where(frm == to, -1, found)

    def to_pyg(self, x: torch.Tensor, edge_attr: torch.Tensor) -> Batch:
        """A torch-geometric batch: node features `x` [B, n, F], edge features `edge_attr` [B, E, G]."""
        data = [
            Data(x=x[b], edge_index=torch.stack([self.sources, self.targets[b]]), edge_attr=edge_attr[b])
            for b in range(self.batch_size)
        ]
        return Batch.from_data_list(data)


def _cheapest(costs: CostSource, k: int, skip_depot: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The k cheapest out-edges of every node (self excluded, depot excluded if asked), sorted: [B, n, k]."""
    n, chunks_idx, chunks_cost = costs.num_nodes, [], []
    for start in range(0, n, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n)
        block = costs.block(start, stop).clone()
        rows = torch.arange(stop - start, device=block.device)
        block[:, rows, rows + start] = torch.inf
        if skip_depot:
            block[:, :, 0] = torch.inf
        value, index = block.topk(k, dim=-1, largest=False, sorted=True)
        chunks_idx.append(index)
        chunks_cost.append(value)
    return torch.cat(chunks_idx, 1), torch.cat(chunks_cost, 1)


def knn_graph(costs: CostSource, k: int | None = None, depot: bool = False) -> KnnGraph:
    """The k-NN graph of every instance of `costs` (see the module docstring for its layout)."""
    n = costs.num_nodes
    k = effective_k(k, n)
    device = costs.device
    if not depot:
        index, value = _cheapest(costs, k, skip_depot=False)
        sources = torch.arange(n, device=device).repeat_interleave(k)
        return KnnGraph(n, k, False, sources, index.flatten(1), value.flatten(1))
    index, value = _cheapest(costs, k - 1, skip_depot=True)
    clients = torch.arange(1, n, device=device)
    depot_row = costs.block(0, 1)[:, 0, 1:]  # [B, n - 1]: depot -> each client
    back = costs.block(1, n)[:, :, 0:1] if costs.matrices is not None else depot_row[..., None]
    batch = costs.batch_size
    rows_t = torch.cat([torch.zeros(batch, n - 1, 1, dtype=torch.long, device=device), index[:, 1:]], -1)
    rows_c = torch.cat([back, value[:, 1:]], -1)
    targets = torch.cat([clients.expand(batch, -1), rows_t.flatten(1)], 1)
    edge_costs = torch.cat([depot_row, rows_c.flatten(1)], 1)
    sources = torch.cat([torch.zeros(n - 1, dtype=torch.long, device=device), clients.repeat_interleave(k)])
    return KnnGraph(n, k, True, sources, targets, edge_costs)
