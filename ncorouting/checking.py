"""The feasibility checker's pieces, shared by every problem: route validation, side constraints
(fleet, capacity, time windows, prefixes) and the cost recomputed from the routes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ncorouting.instance import Instance

Routes = list[list[int]]
#: Slack on times and loads for floating-point sums.
EPS = 1e-9


@dataclass(frozen=True)
class CheckResult:
    """What a checker says of a set of routes: feasible or not (with why), and their cost."""

    feasible: bool
    cost: float
    reason: str | None = None
    #: Named parts of the cost where a problem has several (PVRP: travel_time, preference).
    terms: dict[str, float] | None = None


def route_distance(distances: np.ndarray, route: Sequence[int]) -> float:
    """Length of depot -> route -> depot read from the matrix."""
    if len(route) == 0:
        return 0.0
    path = np.asarray([0, *route, 0], dtype=np.int64)
    return float(distances[path[:-1], path[1:]].sum())


def routes_cost(instance: Instance, routes: Sequence[Sequence[int]], vehicles: Sequence[int] | None = None) -> float:
    """Total cost: each route's distance times its vehicle's cost per distance (1 without a fleet)."""
    vehicles = vehicles if vehicles is not None else [None] * len(routes)
    return sum(
        instance.vehicle(v).cost_per_distance * route_distance(instance.distances, r)
        for r, v in zip(routes, vehicles, strict=True)
    )


def normalise_routes(routes: Sequence[Sequence[int]], num_nodes: int) -> tuple[Routes, str | None]:
    """Routes as plain int lists; the reason when an entry is not a node index in range."""
    clean: Routes = []
    for k, route in enumerate(routes):
        clean_route = []
        for node in route:
            if isinstance(node, bool) or not float(node).is_integer():
                return clean, f"route {k} holds {node!r}, not a node index"
            node = int(node)
            if not 0 <= node < num_nodes:
                return clean, f"route {k} visits node {node}, outside 0..{num_nodes - 1}"
            clean_route.append(node)
        clean.append(clean_route)
    return clean, None


def visit_errors(routes: Routes, num_nodes: int) -> str | None:
    """Why the routes fail to visit every client 1..n-1 exactly once (None when they do)."""
    seen = np.zeros(num_nodes, dtype=np.int64)
    for k, route in enumerate(routes):
        if not route:
            return f"route {k} is empty"
        if 0 in route:
            return f"route {k} passes through the depot mid-route (routes hold clients only)"
        np.add.at(seen, route, 1)
    twice = np.flatnonzero(seen[1:] > 1) + 1
    if twice.size:
        return f"node {twice[0]} is visited {seen[twice[0]]} times"
    missing = np.flatnonzero(seen[1:] == 0) + 1
    if missing.size:
        return f"{missing.size} node(s) never visited, e.g. node {missing[0]}"
    return None


def fleet_errors(
    instance: Instance, routes: Routes, vehicles: Sequence[int] | None, multi_trip: bool = False
) -> str | None:
    """With a fleet: one vehicle per route (distinct unless `multi_trip`), allowed for each of its clients."""
    if instance.fleet is None:
        return None if vehicles is None else "vehicles given but the instance has no fleet"
    if vehicles is None or len(vehicles) != len(routes):
        return f"the instance has a fleet: give one vehicle per route ({len(routes)} routes)"
    if any(not 0 <= v < len(instance.fleet) for v in vehicles):
        return f"vehicle indices must be in 0..{len(instance.fleet) - 1}, got {list(vehicles)}"
    if not multi_trip and len(set(vehicles)) != len(vehicles):
        return "a vehicle drives more than one route"
    for route, v in zip(routes, vehicles, strict=True):
        for node in route:
            allowed = (instance.allowed_vehicles or {}).get(node)
            if allowed is not None and v not in allowed:
                return f"client {node} is served by vehicle {v}, allowed only {allowed}"
    return None


def load_errors(instance: Instance, routes: Routes, vehicles: Sequence[int] | None) -> str | None:
    """Each route's demand within its vehicle's capacity."""
    if instance.demands is None:
        return None
    for k, route in enumerate(routes):
        capacity = instance.vehicle(None if vehicles is None else vehicles[k]).capacity
        load = float(instance.demands[route].sum())
        if load > capacity + EPS:
            return f"route {k} carries {load:g}, over the capacity {capacity:g}"
    return None


def schedule_errors(instance: Instance, routes: Routes, vehicles: Sequence[int] | None) -> str | None:
    """Service starts within every time window, waiting when early; back at the depot in its window."""
    if instance.time_windows is None:
        return None
    tw, travel = instance.time_windows, instance.travel_times
    service = instance.service_times if instance.service_times is not None else np.zeros(instance.num_nodes)
    for k, route in enumerate(routes):
        speed = instance.vehicle(None if vehicles is None else vehicles[k]).speed
        time, prev = tw[0, 0], 0
        for node in route:
            time = max(time + service[prev] + travel[prev, node] / speed, tw[node, 0])
            if time > tw[node, 1] + EPS:
                return f"route {k} reaches node {node} at {time:g}, after its window closes at {tw[node, 1]:g}"
            prev = node
        time += service[prev] + travel[prev, 0] / speed
        if time > tw[0, 1] + EPS:
            return f"route {k} returns to the depot at {time:g}, after the horizon {tw[0, 1]:g}"
    return None


def prefix_errors(instance: Instance, routes: Routes) -> str | None:
    """Every required prefix begins some route."""
    for prefix in instance.route_prefixes or []:
        if not any(route[: len(prefix)] == list(prefix) for route in routes):
            return f"no route starts with the required prefix {list(prefix)}"
    return None


def check_routes(
    instance: Instance,
    routes: Sequence[Sequence[int]],
    vehicles: Sequence[int] | None = None,
    max_routes: int | None = None,
) -> CheckResult:
    """Check every constraint the instance carries; the cost is recomputed only when feasible."""
    clean, reason = normalise_routes(routes, instance.num_nodes)
    if reason is None and max_routes is not None and len(clean) > max_routes:
        reason = f"at most {max_routes} route(s) allowed, got {len(clean)}"
    for check in (
        lambda: visit_errors(clean, instance.num_nodes),
        lambda: fleet_errors(instance, clean, vehicles),
        lambda: load_errors(instance, clean, vehicles),
        lambda: schedule_errors(instance, clean, vehicles),
        lambda: prefix_errors(instance, clean),
    ):
        if reason is not None:
            break
        reason = check()
    if reason is not None:
        return CheckResult(False, float("nan"), reason)
    return CheckResult(True, routes_cost(instance, clean, vehicles))
