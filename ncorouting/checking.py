"""Shared pieces of the feasibility checkers: route validation and cost recomputed from routes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Routes = list[list[int]]


@dataclass(frozen=True)
class CheckResult:
    """What a checker says of a set of routes: feasible or not (with why), and their cost."""

    feasible: bool
    cost: float
    reason: str | None = None


def routes_cost(distances: np.ndarray, routes: Sequence[Sequence[int]]) -> float:
    """Total cost of routes that each start and end at depot 0, read from the distance matrix."""
    total = 0.0
    for route in routes:
        if len(route) == 0:
            continue
        path = np.asarray([0, *route, 0], dtype=np.int64)
        total += float(distances[path[:-1], path[1:]].sum())
    return total


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
