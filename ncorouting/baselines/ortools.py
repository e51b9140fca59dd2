"""OR-Tools routing baseline (guided local search under a time limit) for TSP, ATSP and CVRP."""

from __future__ import annotations

import math

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ncorouting.instance import Instance
from ncorouting.solvers import Solver

#: Non-integral matrices are scaled so that the largest arc is about this many units.
INTEGER_RANGE = 1_000_000


def integer_scale(values: np.ndarray, target: float = INTEGER_RANGE) -> float:
    """1 for integral data, else a power of ten bringing the largest value near `target`."""
    finite = values[np.isfinite(values)]
    if np.allclose(finite, np.rint(finite)):
        return 1.0
    largest = float(np.abs(finite).max()) or 1.0
    return float(10 ** max(0, math.floor(math.log10(target / largest))))


class OrToolsSolver(Solver):
    """OR-Tools' routing solver: integer-scaled matrix (`RegisterTransitMatrix`), guided local search.

    `solution_limit` stops on a number of solutions instead of wall time, for reproducible runs.
    """

    name = "ortools"
    problems = ("tsp", "atsp", "cvrp")

    def __init__(self, default_time_limit: float = 1.0, solution_limit: int | None = None):
        self.default_time_limit = default_time_limit
        self.solution_limit = solution_limit

    def _routes(self, instance: Instance, time_limit: float | None, seed: int) -> list[list[int]]:
        limit = self.default_time_limit if time_limit is None else time_limit
        if instance.problem == "cvrp":
            lower = math.ceil(instance.demands.sum() / instance.capacity)
            fleet = min(instance.num_clients, lower + max(3, math.ceil(0.3 * lower)))
            routes = self._run(instance, fleet, limit)
            if routes is None and fleet < instance.num_clients:
                routes = self._run(instance, instance.num_clients, limit)
        else:
            routes = self._run(instance, 1, limit)
        if routes is None:
            raise RuntimeError(f"OR-Tools found no solution for {instance.name} within {limit} s")
        return routes

    def _run(self, instance: Instance, num_vehicles: int, time_limit: float) -> list[list[int]] | None:
        manager = pywrapcp.RoutingIndexManager(instance.num_nodes, num_vehicles, 0)
        routing = pywrapcp.RoutingModel(manager)
        scale = integer_scale(instance.distances)
        matrix = np.rint(instance.distances * scale).astype(np.int64).tolist()
        transit = routing.RegisterTransitMatrix(matrix)
        routing.SetArcCostEvaluatorOfAllVehicles(transit)
        if instance.problem == "cvrp":
            self._add_capacity(routing, instance, num_vehicles)
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = (
            routing_enums_pb2.FirstSolutionStrategy.SAVINGS
            if instance.problem == "cvrp"
            else routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        )
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
        if self.solution_limit is not None:
            params.solution_limit = self.solution_limit
        assignment = routing.SolveWithParameters(params)
        if assignment is None:
            return None
        routes = []
        for vehicle in range(num_vehicles):
            index, route = routing.Start(vehicle), []
            while not routing.IsEnd(index):
                node = manager.IndexToNode(index)
                if node != 0:
                    route.append(node)
                index = assignment.Value(routing.NextVar(index))
            if route:
                routes.append(route)
        return routes

    @staticmethod
    def _add_capacity(routing: pywrapcp.RoutingModel, instance: Instance, num_vehicles: int) -> None:
        scale = integer_scale(np.append(instance.demands, instance.capacity), target=1e6)
        demands = np.ceil(instance.demands * scale - 1e-9).astype(np.int64).tolist()
        capacity = int(math.floor(instance.capacity * scale + 1e-9))
        demand_cb = routing.RegisterUnaryTransitVector(demands)
        routing.AddDimensionWithVehicleCapacity(demand_cb, 0, [capacity] * num_vehicles, True, "load")
