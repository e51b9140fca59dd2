"""Edge costs of a batch of same-size instances, from coordinates or from distance matrices.

Every consumer (the k-NN graph, the ant colony's fallback moves and tour costs, the local search)
asks this one source, so explicit-matrix and road instances get exactly their matrix's costs and
coordinate batches never build an n x n tensor.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ncorouting.instance import Instance


class CostSource:
    """Costs d(i, j) of `B` instances with `n` nodes: Euclidean from `coords` [B, n, 2], or read from
    `matrices` [B, n, n] (for one instance a zero-copy view of its own matrix)."""

    def __init__(self, coords: torch.Tensor | None = None, matrices: torch.Tensor | None = None):
        if (coords is None) == (matrices is None):
            raise ValueError("give exactly one of coords and matrices")
        self.coords, self.matrices = coords, matrices
        source = coords if coords is not None else matrices
        self.batch_size, self.num_nodes = int(source.shape[0]), int(source.shape[1])

    @classmethod
    def from_instances(cls, instances: Sequence[Instance]) -> CostSource:
        """The instances' own distance matrices (checker costs, TSPLIB rounding included)."""
        if len(instances) == 1:
            return cls(matrices=torch.from_numpy(instances[0].distances)[None])
        return cls(matrices=torch.from_numpy(np.stack([inst.distances for inst in instances])))

    @property
    def device(self) -> torch.device:
        return (self.coords if self.coords is not None else self.matrices).device

    def block(self, start: int, stop: int) -> torch.Tensor:
        """Costs from nodes start..stop-1 to every node, [B, stop - start, n]."""
        if self.matrices is not None:
            return self.matrices[:, start:stop]
        return torch.cdist(self.coords[:, start:stop], self.coords)

    def rows(self, batch_index: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
        """Costs from `nodes` [R] (of instances `batch_index` [R]) to every node, [R, n]."""
        if self.matrices is not None:
            return self.matrices[batch_index, nodes]
        locs = self.coords[batch_index]
        return (locs - locs.gather(1, nodes[:, None, None].expand(-1, 1, 2))).norm(dim=-1)

    def path_cost(self, paths: torch.Tensor, batch_index: torch.Tensor) -> torch.Tensor:
        """Length of each node path [R, L] (consecutive pairs, no closing edge), float64 [R]."""
        frm, to = paths[:, :-1], paths[:, 1:]
        if self.matrices is not None:
            rows = batch_index[:, None].expand_as(frm)
            return self.matrices[rows, frm, to].double().sum(-1)
        locs = self.coords[batch_index].double()
        pick = lambda idx: locs.gather(1, idx[..., None].expand(-1, -1, 2))  # noqa: E731
        return (pick(to) - pick(frm)).norm(dim=-1).sum(-1)

    def is_symmetric(self, chunk: int = 256) -> bool:
        """Whether d(i, j) = d(j, i) everywhere (coordinates: always), checked in row blocks."""
        if self.matrices is None:
            return True
        for start in range(0, self.num_nodes, chunk):
            rows = self.matrices[:, start : start + chunk]
            if not torch.allclose(rows, self.matrices[:, :, start : start + chunk].transpose(1, 2)):
                return False
        return True

    def numpy(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        """(coords, matrix) of instance `b` as float64 arrays for compiled local search; the absent one is empty."""
        empty = np.zeros((0, 0))
        if self.matrices is not None:
            return empty, np.ascontiguousarray(self.matrices[b].double().numpy())
        return np.ascontiguousarray(self.coords[b].double().numpy()), empty

    def dense(self, b: int) -> np.ndarray:
        """Full cost matrix of instance `b` (only for PyVRP's CVRP local search, which needs one)."""
        if self.matrices is not None:
            return self.matrices[b].double().numpy()
        xy = self.coords[b].double()
        return torch.cdist(xy, xy).numpy()
