"""The `Instance` type: one routing problem, its distance matrix and, for CVRP, demands."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ncorouting.errors import InputError

#: Edge-weight conventions for coordinates (TSPLIB names, plus EXACT_2D for unrounded Euclidean).
COORD_WEIGHT_TYPES = ("EXACT_2D", "EUC_2D", "CEIL_2D", "ATT")


def distances_from_coords(coords: np.ndarray, edge_weight_type: str = "EXACT_2D") -> np.ndarray:
    """Distance matrix from coordinates by a TSPLIB convention (EUC_2D rounds each edge to nearest)."""
    diff = coords[:, None, :] - coords[None, :, :]
    if edge_weight_type == "ATT":
        rij = np.sqrt((diff**2).sum(-1) / 10.0)
        tij = np.rint(rij)
        return np.where(tij < rij, tij + 1, tij)
    exact = np.sqrt((diff**2).sum(-1))
    if edge_weight_type == "EXACT_2D":
        return exact
    if edge_weight_type == "EUC_2D":
        return np.floor(exact + 0.5)  # TSPLIB nint, not banker's rounding
    if edge_weight_type == "CEIL_2D":
        return np.ceil(exact)
    raise InputError(
        f"EDGE_WEIGHT_TYPE '{edge_weight_type}' is not supported; supported: {', '.join(COORD_WEIGHT_TYPES)}, EXPLICIT"
    )


@dataclass
class Instance:
    """A routing instance. Node 0 is the depot (for TSP: the first city); costs come from `distances`.

    `coords` is optional (explicit-matrix instances have none); `demands[0]` is 0 for CVRP.
    The constructor validates everything and raises `InputError` naming the field at fault.
    """

    problem: str
    distances: np.ndarray
    coords: np.ndarray | None = None
    demands: np.ndarray | None = None
    capacity: float | None = None
    name: str = "instance"
    edge_weight_type: str = "EXACT_2D"
    known_optimum: float | None = None
    source: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.distances = np.asarray(self.distances, dtype=np.float64)
        if self.coords is not None:
            self.coords = np.asarray(self.coords, dtype=np.float64)
        if self.demands is not None:
            self.demands = np.asarray(self.demands, dtype=np.float64)
        self._validate()

    @property
    def num_nodes(self) -> int:
        """Number of nodes, depot included."""
        return self.distances.shape[0]

    @property
    def num_clients(self) -> int:
        """Nodes other than the depot."""
        return self.num_nodes - 1

    @property
    def is_exact_euclidean(self) -> bool:
        """True when `distances` are the unrounded Euclidean distances of `coords`."""
        return self.coords is not None and self.edge_weight_type == "EXACT_2D"

    def _fail(self, message: str) -> None:
        raise InputError(message, source=self.source or self.name)

    def _validate(self) -> None:
        d = self.distances
        if d.ndim != 2 or d.shape[0] != d.shape[1]:
            self._fail(f"distance matrix must be square, got shape {tuple(d.shape)}")
        if d.shape[0] < 2:
            self._fail(f"an instance needs at least 2 nodes, got {d.shape[0]}")
        if not np.isfinite(d).all():
            i, j = np.argwhere(~np.isfinite(d))[0]
            self._fail(f"distance matrix entry ({i}, {j}) is {d[i, j]}, not a finite number")
        if (d < 0).any():
            i, j = np.argwhere(d < 0)[0]
            self._fail(f"distance matrix entry ({i}, {j}) is negative ({d[i, j]})")
        if self.coords is not None:
            c = self.coords
            if c.shape != (d.shape[0], 2):
                self._fail(f"coordinates must have shape ({d.shape[0]}, 2), got {tuple(c.shape)}")
            if not np.isfinite(c).all():
                node = int(np.argwhere(~np.isfinite(c))[0][0])
                self._fail(f"coordinate of node {node} is not finite: {c[node].tolist()}")
        if self.problem == "cvrp":
            self._validate_demands()

    def _validate_demands(self) -> None:
        if self.demands is None or self.capacity is None:
            self._fail("a CVRP instance needs demands and a capacity")
        q, cap = self.demands, float(self.capacity)
        if q.shape != (self.num_nodes,):
            self._fail(f"demands must have {self.num_nodes} entries (depot first), got {q.shape[0]}")
        if not np.isfinite(q).all() or not np.isfinite(cap):
            self._fail("demands and capacity must be finite numbers")
        if cap <= 0:
            self._fail(f"capacity must be positive, got {cap}")
        if (q < 0).any():
            self._fail(f"demand of node {int(np.argmax(q < 0))} is negative ({q[q < 0][0]})")
        if q[0] != 0:
            self._fail(f"depot demand must be 0, got {q[0]}")
        if (q > cap).any():
            node = int(np.argmax(q > cap))
            self._fail(f"demand {q[node]:g} of node {node} exceeds the vehicle capacity {cap:g}")
