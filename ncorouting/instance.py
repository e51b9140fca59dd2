"""The `Instance` type: one routing problem, its distance matrix and, for CVRP, demands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ncorouting.distances import COORD_WEIGHT_TYPES, MAX_WEIGHT, distances_from_coords, first_bad_weight
from ncorouting.errors import InputError

__all__ = ["COORD_WEIGHT_TYPES", "Instance", "Vehicle", "distances_from_coords"]

#: Profiled VRP problems: a fleet whose vehicles make unlimited trips, with preferences or zones.
PROFILED_PROBLEMS = ("pvrp_p", "pvrp_zc")
#: Problems whose clients carry demands against a capacity.
DEMAND_PROBLEMS = ("cvrp", "cvrptw", "acvrp", "acvrptw", *PROFILED_PROBLEMS)


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
    must start with, e.g. a forced alternative in the route explainer). `optimum_source` says where
    `known_optimum` came from (a `.sol` / `.opt.tour` file beside the instance, the JSON, our table).
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
    optimum_source: str | None = None
    source: str | None = None
    durations: np.ndarray | None = None
    time_windows: np.ndarray | None = None
    service_times: np.ndarray | None = None
    fleet: list[Vehicle] | None = None
    allowed_vehicles: dict[int, list[int]] | None = None
    route_prefixes: list[list[int]] | None = None
    #: Profiled VRP: preference of each fleet vehicle for each client [len(fleet), n - 1], in [0, 1].
    preferences: np.ndarray | None = None
    #: Profiled VRP: weight a of preference in the objective (1 - a) * travel time - a * preference.
    alpha: float = 0.0

    def __post_init__(self) -> None:
        self.distances = np.asarray(self.distances, dtype=np.float64)
        for name in ("coords", "demands", "durations", "time_windows", "service_times", "preferences"):
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
        bad = first_bad_weight(d)
        if bad is not None:
            i, j = bad
            self._fail(
                f"distance matrix entry ({i}, {j}) is {d[i, j]:g}: distances must be finite, non-negative and at "
                f"most {MAX_WEIGHT:g} (solvers scale them to integers)"
            )
        if self.coords is not None:
            c = self.coords
            if c.shape != (d.shape[0], 2):
                self._fail(f"coordinates must have shape ({d.shape[0]}, 2), got {tuple(c.shape)}")
            if not np.isfinite(c).all():
                node = int(np.argwhere(~np.isfinite(c))[0][0])
                self._fail(f"coordinate of node {node} is not finite: {c[node].tolist()}")
        if self.problem in DEMAND_PROBLEMS:
            self._validate_demands()
        self._validate_side_constraints()
        if self.problem in PROFILED_PROBLEMS or self.preferences is not None:
            self._validate_profiles()

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

    def _validate_profiles(self) -> None:
        """Profiled VRP: a fleet, preferences for PVRP-P only, every client servable by an allowed vehicle."""
        if self.problem not in PROFILED_PROBLEMS:
            self._fail(f"preferences apply to problems {', '.join(PROFILED_PROBLEMS)}, not '{self.problem}'")
        if self.fleet is None:
            self._fail(f"a {self.problem} instance needs a fleet (its vehicles and their profiles)")
        if self.time_windows is not None or self.route_prefixes:
            self._fail(f"a {self.problem} instance takes no time_windows or route_prefixes")
        if not (np.isfinite(self.alpha) and 0 <= self.alpha <= 1):
            self._fail(f"alpha must be in [0, 1], got {self.alpha}")
        p = self.preferences
        if self.problem == "pvrp_zc" and (p is not None or self.alpha != 0):
            self._fail("a pvrp_zc instance has no preferences and alpha 0 (its objective is travel time)")
        if self.problem == "pvrp_p":
            shape = (len(self.fleet), self.num_clients)
            if p is None or p.shape != shape:
                got = None if p is None else tuple(p.shape)
                self._fail(
                    f"preferences must have shape {shape} (one row per vehicle, one entry per client), got {got}"
                )
            if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
                k, j = np.argwhere(~(np.isfinite(p) & (p >= 0) & (p <= 1)))[0]
                self._fail(f"preference of vehicle {k} for client {j + 1} is {p[k, j]}, not in [0, 1]")
        allowed = self.allowed_vehicles or {}
        for client in range(1, self.num_nodes):
            fits = [
                v for v in allowed.get(client, range(len(self.fleet))) if self.fleet[v].capacity >= self.demands[client]
            ]
            if not fits:
                self._fail(
                    f"demand {self.demands[client]:g} of client {client} exceeds the capacity of every vehicle "
                    f"allowed to serve it ({allowed.get(client, 'all')})"
                )

    def vehicle(self, index: int | None) -> Vehicle:
        """Fleet vehicle `index`, or the implicit identical vehicle when there is no fleet."""
        if self.fleet is None or index is None:
            return Vehicle(capacity=float("inf") if self.capacity is None else float(self.capacity))
        return self.fleet[index]

    def _validate_demands(self) -> None:
        if self.demands is None or self.capacity is None:
            self._fail(f"a {self.problem.upper()} instance needs demands and a capacity")
        q, cap = self.demands, float(self.capacity)
        if q.shape != (self.num_nodes,):
            self._fail(f"demands must have {self.num_nodes} entries (depot first), got shape {q.shape}")
        if not np.isfinite(q).all() or not np.isfinite(cap):
            self._fail("demands and capacity must be finite numbers")
        if cap <= 0:
            self._fail(f"capacity must be positive, got {cap}")
        if cap > MAX_WEIGHT:
            self._fail(f"capacity {cap:g} is above {MAX_WEIGHT:g}, the most solvers' integer scaling allows")
        if (q < 0).any():
            self._fail(f"demand of node {int(np.argmax(q < 0))} is negative ({q[q < 0][0]})")
        if q[0] != 0:
            self._fail(f"depot demand must be 0, got {q[0]}")
        if self.fleet is not None:
            cap = max(v.capacity for v in self.fleet)
        if (q > cap).any():
            node = int(np.argmax(q > cap))
            self._fail(f"demand {q[node]:g} of node {node} exceeds the vehicle capacity {cap:g}")
