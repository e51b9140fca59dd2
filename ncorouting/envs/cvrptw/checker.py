"""CVRPTW feasibility: the CVRP rules plus service starting inside every client's time window and
every trip back at the depot before its horizon (the shared checker's schedule rule)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ncorouting.checking import CheckResult, check_routes
from ncorouting.instance import Instance


def cvrptw_instance_errors(instance: Instance) -> str | None:
    """What keeps `instance` from being a CVRPTW instance (None when it is one)."""
    if instance.time_windows is None:
        return "a CVRPTW instance needs time windows"
    if instance.demands is None or instance.capacity is None:
        return "a CVRPTW instance needs demands and a capacity"
    return None


def check_cvrptw(
    instance: Instance, routes: Sequence[Sequence[int]], vehicles: Sequence[int] | None = None
) -> CheckResult:
    """Feasible when each client is served once, in its window, within capacity, and every constraint
    the instance carries holds."""
    reason = cvrptw_instance_errors(instance)
    if reason is not None:
        return CheckResult(False, math.nan, reason)
    return check_routes(instance, routes, vehicles)
