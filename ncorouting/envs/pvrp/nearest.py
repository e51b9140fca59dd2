"""Nearest-neighbour construction for the profiled VRP, the simple bar a learned policy must clear.

Trips are built one at a time from the depot, always to the nearest unserved client that some vehicle still
able to drive the whole trip may serve (zone and remaining capacity); a finished trip goes to the vehicle
with the lowest objective for it (travel time and, for PVRP-P, preference: best-vehicle assignment).
"""

from __future__ import annotations

import numpy as np

from ncorouting.envs.pvrp.costs import vehicle_arc_costs
from ncorouting.instance import PROFILED_PROBLEMS, Instance
from ncorouting.solvers import Solver


def nearest_neighbour_trips(instance: Instance) -> tuple[list[list[int]], list[int]]:
    """Trips and their vehicles, built greedily as the module docstring says."""
    costs = vehicle_arc_costs(instance)  # infinite into clients a vehicle may not serve
    servable = np.isfinite(costs[:, 0, :])  # [m, N]
    capacity = np.array([v.capacity for v in instance.fleet])
    demand = instance.demands
    unserved = np.ones(instance.num_nodes, dtype=bool)
    unserved[0] = False
    routes, vehicles = [], []
    while unserved.any():
        candidates, remaining = np.ones(len(capacity), dtype=bool), capacity.astype(float).copy()
        trip, here = [], 0
        while True:
            able = candidates[:, None] & servable & (demand[None, :] <= remaining[:, None] + 1e-9)
            options = np.flatnonzero(unserved & able.any(0))
            if options.size == 0:
                break
            nxt = int(options[np.argmin(instance.distances[here, options])])
            candidates &= able[:, nxt]
            remaining -= demand[nxt]
            trip.append(nxt)
            unserved[nxt] = False
            here = nxt
        path = np.array([0, *trip, 0])
        trip_cost = np.where(candidates, costs[:, path[:-1], path[1:]].sum(-1), np.inf)
        routes.append(trip)
        vehicles.append(int(np.argmin(trip_cost)))
    return routes, vehicles


class NearestNeighbourSolver(Solver):
    """Nearest-neighbour trips with best-vehicle assignment (deterministic; `time_limit` does not apply)."""

    name = "nearest"
    problems = PROFILED_PROBLEMS
    side_constraints = True

    def _solve(self, instance: Instance, time_limit: float | None, seed: int) -> tuple[list[list[int]], list[int]]:
        return nearest_neighbour_trips(instance)
