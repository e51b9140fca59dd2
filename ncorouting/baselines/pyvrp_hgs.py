"""PyVRP's hybrid genetic search (HGS), the strongest CVRP reference, on our integer-scaled matrix."""

from __future__ import annotations

import math

import numpy as np
from pyvrp import Model
from pyvrp.stop import MaxRuntime

from ncorouting.baselines.ortools import integer_scale
from ncorouting.instance import Instance
from ncorouting.solvers import Solver

#: PyVRP penalises load excess per unit against distance; distances scaled far above the demands
#: (1e6 as for OR-Tools) saturate its penalty bound and it returns overloaded routes; 1e5 did not.
DISTANCE_RANGE = 100_000


class PyVRPSolver(Solver):
    """PyVRP HGS for CVRP (symmetric or asymmetric matrix) under a wall-time limit, seeded."""

    name = "hgs"
    problems = ("cvrp",)

    def __init__(self, default_time_limit: float = 1.0):
        self.default_time_limit = default_time_limit

    def _solve(self, instance: Instance, time_limit: float | None, seed: int) -> tuple[list[list[int]], None]:
        limit = self.default_time_limit if time_limit is None else time_limit
        weights = np.rint(instance.distances * integer_scale(instance.distances, DISTANCE_RANGE)).astype(np.int64)
        demand_scale = integer_scale(np.append(instance.demands, instance.capacity), target=1e6)
        demands = np.ceil(instance.demands * demand_scale - 1e-9).astype(np.int64)
        capacity = int(math.floor(instance.capacity * demand_scale + 1e-9))

        model = Model()
        xy = instance.coords if instance.coords is not None else np.zeros((instance.num_nodes, 2))
        locations = [model.add_location(x=float(x), y=float(y)) for x, y in xy]
        model.add_depot(locations[0])
        for node in range(1, instance.num_nodes):
            model.add_client(locations[node], delivery=int(demands[node]))
        model.add_vehicle_type(num_available=instance.num_clients, capacity=capacity)
        for i, frm in enumerate(locations):
            for j, to in enumerate(locations):
                model.add_edge(frm, to, distance=int(weights[i, j]))
        result = model.solve(stop=MaxRuntime(limit), seed=seed, display=False)
        # a client activity's idx counts clients from 0 in insertion order: our node is idx + 1
        routes = [[int(a.idx) + 1 for a in route if a.is_client()] for route in result.best.routes()]
        ours = sum(int(weights[np.r_[0, r], np.r_[r, 0]].sum()) for r in routes)
        if result.is_feasible() and ours != result.cost():
            raise RuntimeError(f"PyVRP route mapping mismatch on {instance.name}: {ours} vs {result.cost()}")
        return routes, None
