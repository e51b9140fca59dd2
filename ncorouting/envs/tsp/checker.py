"""TSP (and ATSP) feasibility: one closed tour through every city, starting at city 0."""

from __future__ import annotations

from collections.abc import Sequence

from ncorouting.checking import CheckResult, normalise_routes, routes_cost, visit_errors
from ncorouting.instance import Instance


def check_tsp(instance: Instance, routes: Sequence[Sequence[int]]) -> CheckResult:
    """Feasible when there is exactly one route visiting every city but 0 once (0 closes the tour)."""
    clean, reason = normalise_routes(routes, instance.num_nodes)
    if reason is None and len(clean) != 1:
        reason = f"a TSP tour is one route, got {len(clean)}"
    if reason is None:
        reason = visit_errors(clean, instance.num_nodes)
    if reason is not None:
        return CheckResult(False, float("nan"), reason)
    return CheckResult(True, routes_cost(instance.distances, clean))


def tour_to_routes(tour: Sequence[int]) -> list[list[int]]:
    """A cyclic permutation of 0..n-1 as our single route: rotated to start at 0, 0 dropped."""
    tour = [int(v) for v in tour]
    if 0 not in tour:
        return [tour]
    start = tour.index(0)
    rotated = tour[start:] + tour[:start]
    return [rotated[1:]]
