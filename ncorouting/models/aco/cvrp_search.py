"""CVRP local search for the ant colony: PyVRP's operators (relocate, swap, SWAP-tails, ...) on one
instance, built once and applied to many solutions. rl4co's CVRP local search needs the compiled
HGS-CVRP library, which its wheel does not ship; PyVRP is our dependency and offers the same moves."""

from __future__ import annotations

import numpy as np
from pyvrp import Client, CostEvaluator, Depot, Location, ProblemData, RandomNumberGenerator, Solution, VehicleType
from pyvrp.search import OPERATORS, LocalSearch, compute_neighbours

from ncorouting.baselines.ortools import power_of_ten_scale

#: Integer scales of PyVRP: arc costs up to about this, loads as exact as a power of ten allows.
COST_RANGE = 1_000_000
LOAD_RANGE = 100_000
#: Penalty per unit of excess load: no overloaded solution ever looks better than a feasible one.
LOAD_PENALTY = 1e9


class CVRPLocalSearch:
    """PyVRP local search on one CVRP instance: costs [n, n] (depot first), demands [n] and capacity."""

    def __init__(self, costs: np.ndarray, demands: np.ndarray, capacity: float = 1.0, seed: int = 0):
        n = costs.shape[0]
        arc = np.rint(costs * (COST_RANGE / max(float(costs.max()), 1e-12))).astype(np.int64)
        np.fill_diagonal(arc, 0)
        load_scale = power_of_ten_scale(np.append(demands, capacity), LOAD_RANGE)
        loads = np.ceil(np.asarray(demands, dtype=np.float64) * load_scale - 1e-2).astype(np.int64)
        cap = int(np.floor(capacity * load_scale + 1e-2))
        self.data = ProblemData(
            [Location(0.0, 0.0) for _ in range(n)],
            [Client(i, delivery=[int(loads[i])]) for i in range(1, n)],
            [Depot(0)],
            [VehicleType(n - 1, capacity=[cap])],
            [arc],
            [np.zeros_like(arc)],
        )
        self.search = LocalSearch(self.data, RandomNumberGenerator(seed), compute_neighbours(self.data))
        for operator in OPERATORS:
            if operator.supports(self.data):
                self.search.add_operator(operator(self.data))
        self.evaluator = CostEvaluator([LOAD_PENALTY], 0.0, 0.0)

    def improve(self, routes: list[list[int]]) -> list[list[int]]:
        """Routes of clients (our node numbers) improved until no operator finds a better neighbour."""
        start = Solution(self.data, [[c - 1 for c in r] for r in routes if r])
        found = self.search(start, self.evaluator, exhaustive=True)
        if not found.is_feasible():
            return routes
        return [[a.idx + 1 for a in route if a.is_client()] for route in found.routes()]
