"""TSP (and ATSP) feasibility: one closed tour through every city, starting at city 0."""

from __future__ import annotations

from collections.abc import Sequence

from ncorouting.checking import CheckResult, check_routes
from ncorouting.instance import Instance


def check_tsp(
    instance: Instance, routes: Sequence[Sequence[int]], vehicles: Sequence[int] | None = None
) -> CheckResult:
    """Feasible when one route visits every city but 0 once (0 closes the tour), plus any side constraint."""
    return check_routes(instance, routes, vehicles, max_routes=1)


def tour_to_routes(tour: Sequence[int]) -> list[list[int]]:
    """A cyclic permutation of 0..n-1 as our single route: rotated to start at 0, 0 dropped."""
    tour = [int(v) for v in tour]
    if 0 not in tour:
        return [tour]
    start = tour.index(0)
    rotated = tour[start:] + tour[:start]
    return [rotated[1:]]
