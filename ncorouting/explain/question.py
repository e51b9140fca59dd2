"""A why-not question about one edge of a solution: "at step t of route r, why not go to c?".

Steps count from 0 along route r: edge t leaves the depot (t = 0) or the route's client t-1 and
enters client t, or the depot again after the last client (t = len(route)). The counterfactual keeps
route r's first t clients, then visits c, and re-solves everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ncorouting.errors import InputError
from ncorouting.explain.schedule import leave_time, reachable, route_load, service_times
from ncorouting.solution import Solution


@dataclass(frozen=True)
class Question:
    """Route index, step along it (from 0) and the alternative client for that step."""

    route: int
    step: int
    alternative: int


def question_for_edge(solution: Solution, source: int, target: int, alternative: int) -> Question:
    """The question "edge (source, target) instead of (source, alternative)"."""
    for r, route in enumerate(solution.routes):
        path = [0, *route, 0]
        for t in range(len(path) - 1):
            if (path[t], path[t + 1]) == (source, target):
                return Question(r, t, alternative)
    raise InputError(f"the {solution.solver} solution has no edge ({source}, {target})", source=solution.instance.name)


def validate(solution: Solution, question: Question) -> None:
    """Refuse a question that does not name an edge of the solution and a client."""
    name = solution.instance.name
    if not solution.feasible:
        raise InputError(f"cannot explain an infeasible solution ({solution.reason})", source=name)
    if not 0 <= question.route < len(solution.routes):
        raise InputError(f"route {question.route} does not exist (routes 0..{len(solution.routes) - 1})", source=name)
    length = len(solution.routes[question.route])
    if not 0 <= question.step <= length:
        raise InputError(f"step {question.step} is not on route {question.route} (steps 0..{length})", source=name)
    if not 1 <= question.alternative < solution.instance.num_nodes:
        raise InputError(
            f"alternative {question.alternative} is not a client (1..{solution.instance.num_nodes - 1})", source=name
        )


def actual_next(solution: Solution, question: Question) -> int:
    """The node the route actually visits at the questioned step (0: back to the depot)."""
    route = solution.routes[question.route]
    return route[question.step] if question.step < len(route) else 0


def previous_node(solution: Solution, question: Question) -> int:
    """Where the questioned edge starts."""
    return solution.routes[question.route][question.step - 1] if question.step > 0 else 0


def route_vehicle(solution: Solution, route: int) -> int | None:
    """The fleet vehicle driving a route (None without a fleet)."""
    return None if solution.vehicles is None else solution.vehicles[route]


def forced_prefix(solution: Solution, question: Question) -> list[int]:
    """The counterfactual route's fixed start: the actual route's first `step` clients, then the alternative."""
    return [*solution.routes[question.route][: question.step], question.alternative]


def infeasibility(solution: Solution, question: Question) -> str | None:
    """Why the alternative cannot be visited at that step (already visited, capacity, zone, time
    window, horizon), or None when it can."""
    inst, c = solution.instance, question.alternative
    prefix = solution.routes[question.route][: question.step]
    vehicle = route_vehicle(solution, question.route)
    if c in prefix:
        return f"client {c} is already served at step {prefix.index(c)} of route {question.route}"
    reach = reachable(inst, prefix, [c], vehicle)
    if not reach.fits[0]:
        capacity = inst.vehicle(vehicle).capacity
        load = route_load(inst, prefix)
        return (
            f"capacity: the vehicle already carries {load:g} of {capacity:g}; client {c}'s demand "
            f"{inst.demands[c]:g} exceeds the remaining {capacity - load:g}"
        )
    if not reach.allowed[0]:
        allowed = inst.allowed_vehicles[c]
        return f"zone: vehicle {vehicle} may not serve client {c} (allowed vehicles: {allowed})"
    if not reach.in_time[0]:
        tw, here = inst.time_windows, prefix[-1] if prefix else 0
        travel = inst.travel_times[here, c] / inst.vehicle(vehicle).speed
        start = max(leave_time(inst, prefix, vehicle) + travel, float(tw[c, 0]))
        if start > tw[c, 1]:
            return (
                f"time window: the vehicle would reach client {c} at {start:.4g}, after its window "
                f"[{tw[c, 0]:.4g}, {tw[c, 1]:.4g}] closes (late by {start - tw[c, 1]:.3g})"
            )
        back = start + service_times(inst)[c] + inst.travel_times[c, 0] / inst.vehicle(vehicle).speed
        return (
            f"horizon: after serving client {c} from {start:.4g} the vehicle would be back at the depot at "
            f"{back:.4g}, after the horizon {tw[0, 1]:.4g}"
        )
    return None


def unserved(solution: Solution) -> list[int]:
    """Clients no route visits (empty for a feasible solution)."""
    seen = np.zeros(solution.instance.num_nodes, dtype=bool)
    for route in solution.routes:
        seen[route] = True
    return [int(v) for v in np.flatnonzero(~seen[1:]) + 1]
