"""CVRP feasibility: every client once, no trip over its vehicle's capacity, every trip from and to
the depot, plus the instance's side constraints (fleet, allowed vehicles, time windows, prefixes)."""

from __future__ import annotations

from collections.abc import Sequence

from ncorouting.checking import CheckResult, check_routes
from ncorouting.instance import Instance


def check_cvrp(
    instance: Instance, routes: Sequence[Sequence[int]], vehicles: Sequence[int] | None = None
) -> CheckResult:
    """Feasible when each client is served once and every constraint the instance carries holds."""
    return check_routes(instance, routes, vehicles)
