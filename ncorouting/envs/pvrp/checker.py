"""Profiled VRP feasibility and objective: every client served once, by a vehicle allowed to serve it, no trip
over its vehicle's capacity (a vehicle may drive any number of trips, each from and to the depot), and the
objective recomputed from the routes: (1 - alpha) * travel time - alpha * preference served."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ncorouting.checking import CheckResult, fleet_errors, load_errors, normalise_routes, route_distance, visit_errors
from ncorouting.instance import Instance


def objective_terms(instance: Instance, routes: Sequence[Sequence[int]], vehicles: Sequence[int]) -> dict[str, float]:
    """Travel time (distance / speed, depot legs included) and preference collected, summed over trips."""
    travel = sum(
        route_distance(instance.distances, r) / instance.fleet[v].speed for r, v in zip(routes, vehicles, strict=True)
    )
    preference = 0.0
    if instance.preferences is not None:
        preference = sum(
            float(instance.preferences[v, np.asarray(r, dtype=np.int64) - 1].sum())
            for r, v in zip(routes, vehicles, strict=True)
        )
    return {"travel_time": float(travel), "preference": float(preference)}


def objective(instance: Instance, terms: dict[str, float]) -> float:
    """J = (1 - alpha) * travel time - alpha * preference."""
    return (1 - instance.alpha) * terms["travel_time"] - instance.alpha * terms["preference"]


def check_pvrp(
    instance: Instance, routes: Sequence[Sequence[int]], vehicles: Sequence[int] | None = None
) -> CheckResult:
    """Feasible when each client is served once by an allowed vehicle within capacity on every trip; the
    cost is the objective J, with travel time and preference as its terms."""
    clean, reason = normalise_routes(routes, instance.num_nodes)
    for check in (
        lambda: visit_errors(clean, instance.num_nodes),
        lambda: fleet_errors(instance, clean, vehicles, multi_trip=True),
        lambda: load_errors(instance, clean, vehicles),
    ):
        if reason is not None:
            break
        reason = check()
    if reason is not None:
        return CheckResult(False, float("nan"), reason)
    terms = objective_terms(instance, clean, vehicles)
    return CheckResult(True, objective(instance, terms), terms=terms)
