"""CVRP feasibility: every client once, no trip over capacity, every trip from and to the depot."""

from __future__ import annotations

from collections.abc import Sequence

from ncorouting.checking import CheckResult, normalise_routes, routes_cost, visit_errors
from ncorouting.instance import Instance


def check_cvrp(instance: Instance, routes: Sequence[Sequence[int]]) -> CheckResult:
    """Feasible when each client is served once and each route's load is within capacity."""
    clean, reason = normalise_routes(routes, instance.num_nodes)
    if reason is None:
        reason = visit_errors(clean, instance.num_nodes)
    if reason is None:
        for k, route in enumerate(clean):
            load = float(instance.demands[route].sum())
            if load > float(instance.capacity) + 1e-9:
                reason = f"route {k} carries {load:g}, over the capacity {instance.capacity:g}"
                break
    if reason is not None:
        return CheckResult(False, float("nan"), reason)
    return CheckResult(True, routes_cost(instance.distances, clean))
