"""Loads, times and lengths along a route, by the checker's rules: service starts at max(arrival, window
open), leaving after the service time; travel time = duration / the vehicle's speed."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ncorouting.instance import Instance


@dataclass(frozen=True)
class RouteTimes:
    """Service start at each client of a route (in order), the return time and the total waiting."""

    starts: np.ndarray
    back: float
    waiting: float
    lateness: float


def service_times(instance: Instance) -> np.ndarray:
    """Service time per node (zeros without any)."""
    return instance.service_times if instance.service_times is not None else np.zeros(instance.num_nodes)


def route_times(instance: Instance, route: Sequence[int], vehicle: int | None = None) -> RouteTimes | None:
    """The schedule of depot -> route -> depot (None without time windows); lateness sums how far
    service starts after windows close (0 for a feasible route)."""
    if instance.time_windows is None:
        return None
    tw, service = instance.time_windows, service_times(instance)
    travel = instance.travel_times / instance.vehicle(vehicle).speed
    time, prev, waiting, lateness = float(tw[0, 0]), 0, 0.0, 0.0
    starts = []
    for node in route:
        arrival = time + service[prev] + travel[prev, node]
        time = max(arrival, float(tw[node, 0]))
        waiting += time - arrival
        lateness += max(0.0, time - float(tw[node, 1]))
        starts.append(time)
        prev = node
    back = time + service[prev] + travel[prev, 0]
    lateness += max(0.0, back - float(tw[0, 1]))
    return RouteTimes(np.asarray(starts), back, waiting, lateness)


def path_cost(d: np.ndarray, path: Sequence[int]) -> float:
    """Length of a path of nodes along the matrix `d` (asymmetric matrices welcome)."""
    return float(sum(d[a, b] for a, b in itertools.pairwise(path)))


def route_load(instance: Instance, route: Sequence[int]) -> float:
    """Total demand on a route (0 without demands)."""
    return 0.0 if instance.demands is None else float(instance.demands[list(route)].sum())


def leave_time(instance: Instance, prefix: Sequence[int], vehicle: int | None = None) -> float | None:
    """When the vehicle leaves the last node of `prefix` (the depot's opening for an empty one)."""
    times = route_times(instance, prefix, vehicle)
    if times is None:
        return None
    if not prefix:
        return float(instance.time_windows[0, 0])
    return float(times.starts[-1] + service_times(instance)[prefix[-1]])


@dataclass(frozen=True)
class Reach:
    """Which candidate clients the vehicle could visit next, by constraint."""

    fits: np.ndarray  # demand within the remaining capacity
    in_time: np.ndarray  # service can start in the window, back at the depot by the horizon
    allowed: np.ndarray  # the vehicle may serve the client (zones, allowed vehicles)

    @property
    def feasible(self) -> np.ndarray:
        return self.fits & self.in_time & self.allowed


def reachable(
    instance: Instance, prefix: Sequence[int], candidates: Sequence[int], vehicle: int | None = None
) -> Reach:
    """For clients `candidates` right after `prefix` on a route of `vehicle`: each constraint's verdict."""
    cand = np.asarray(candidates, dtype=np.int64)
    fits = np.ones(cand.size, dtype=bool)
    if instance.demands is not None:
        left = instance.vehicle(vehicle).capacity - route_load(instance, prefix)
        fits = instance.demands[cand] <= left + 1e-9
    in_time = np.ones(cand.size, dtype=bool)
    leave = leave_time(instance, prefix, vehicle)
    if leave is not None:
        tw, service = instance.time_windows, service_times(instance)
        travel = instance.travel_times / instance.vehicle(vehicle).speed
        here = prefix[-1] if prefix else 0
        start = np.maximum(leave + travel[here, cand], tw[cand, 0])
        in_time = (start <= tw[cand, 1] + 1e-9) & (start + service[cand] + travel[cand, 0] <= tw[0, 1] + 1e-9)
    rules = instance.allowed_vehicles or {}
    allowed = np.array([vehicle is None or vehicle in rules.get(int(c), [vehicle]) for c in cand], dtype=bool)
    return Reach(fits, in_time, allowed)
