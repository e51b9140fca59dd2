"""The `Instance` type: one routing problem, its distance matrix and, for CVRP, demands."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Vehicle:
    """One vehicle of a heterogeneous fleet: its capacity, speed (travel time = duration / speed)
    and cost per unit of distance (arc cost = distance x this)."""

    capacity: float
    speed: float = 1.0
    cost_per_distance: float = 1.0


@dataclass
class Instance:
    """A routing instance. Node 0 is the depot (for TSP: the first city); costs come from `distances`.

    `coords` is optional (explicit-matrix instances have none); `demands[0]` is 0 for CVRP.
    Optional side constraints, all checked by the problem's checker: `durations` (travel times,
    default `distances`), `time_windows` [n, 2] on the start of service (row 0: the depot's horizon),
    `service_times` [n], a `fleet` of distinct vehicles (default: unlimited vehicles of `capacity`),
    `allowed_vehicles` (client -> fleet indices) and `route_prefixes` (client sequences some route
    must start with, e.g. a forced alternative in the route explainer).
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
    durations: np.ndarray | None = None
    time_windows: np.ndarray | None = None
    service_times: np.ndarray | None = None
    fleet: list[Vehicle] | None = None
    allowed_vehicles: dict[int, list[int]] | None = None
    route_prefixes: list[list[int]] | None = None

    def __post_init__(self) -> None:
        self.distances = np.asarray(self.distances, dtype=np.float64)
        for name in ("coords", "demands", "durations", "time_windows", "service_times"):
            if getattr(self, name) is not None:
                setattr(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        self._validate()

    @property
    def travel_times(self) -> np.ndarray:
        """Travel-time matrix: `durations` when given, else `distances`."""
        return self.distances if self.durations is None else self.durations

    @property
    def has_side_constraints(self) -> bool:
        """True when anything beyond plain TSP/CVRP applies (time windows, fleet, prefixes, ...)."""
        return any(
            getattr(self, f) is not None for f in ("time_windows", "fleet", "allowed_vehicles", "route_prefixes")
        )

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
        self._validate_side_constraints()

    def _validate_side_constraints(self) -> None:
        n = self.num_nodes
        if self.durations is not None:
            if self.durations.shape != (n, n):
                self._fail(f"durations must have shape ({n}, {n}), got {tuple(self.durations.shape)}")
            if not np.isfinite(self.durations).all() or (self.durations < 0).any():
                self._fail("durations must be finite and non-negative")
        if self.time_windows is not None:
            tw = self.time_windows
            if tw.shape != (n, 2):
                self._fail(f"time_windows must have shape ({n}, 2), got {tuple(tw.shape)}")
            if not np.isfinite(tw).all() or (tw[:, 0] > tw[:, 1]).any():
                node = int(np.argmax(~np.isfinite(tw).all(1) | (tw[:, 0] > tw[:, 1])))
                self._fail(f"time window of node {node} is invalid: {tw[node].tolist()}")
        if self.service_times is not None:
            if self.service_times.shape != (n,) or (self.service_times < 0).any():
                self._fail(f"service_times must be {n} non-negative numbers")
        if self.fleet is not None:
            if not self.fleet:
                self._fail("fleet is empty")
            for k, v in enumerate(self.fleet):
                if not (v.capacity > 0 and v.speed > 0 and v.cost_per_distance >= 0):
                    self._fail(f"fleet vehicle {k} needs capacity > 0, speed > 0, cost_per_distance >= 0: {v}")
        if self.allowed_vehicles is not None:
            if self.fleet is None:
                self._fail("allowed_vehicles needs a fleet")
            for client, allowed in self.allowed_vehicles.items():
                if not 1 <= client < n:
                    self._fail(f"allowed_vehicles names node {client}, not a client")
                if not allowed or any(not 0 <= v < len(self.fleet) for v in allowed):
                    self._fail(f"allowed_vehicles of client {client} must be fleet indices, got {allowed}")
        for k, prefix in enumerate(self.route_prefixes or []):
            if not prefix or any(not 1 <= v < n for v in prefix):
                self._fail(f"route prefix {k} must be a non-empty list of clients, got {prefix}")

    def vehicle(self, index: int | None) -> Vehicle:
        """Fleet vehicle `index`, or the implicit identical vehicle when there is no fleet."""
        if self.fleet is None or index is None:
            return Vehicle(capacity=float("inf") if self.capacity is None else float(self.capacity))
        return self.fleet[index]

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
        if self.fleet is not None:
            cap = max(v.capacity for v in self.fleet)
        if (q > cap).any():
            node = int(np.argmax(q > cap))
            self._fail(f"demand {q[node]:g} of node {node} exceeds the vehicle capacity {cap:g}")
