"""OR-Tools routing baseline (guided local search under a time limit) for TSP, ATSP and CVRP, with the
instance's side constraints: heterogeneous fleet (capacities, speeds, cost per distance), allowed
vehicles per client, time windows with service times on a duration matrix, and locked route prefixes."""

from __future__ import annotations

import math

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ncorouting.envs.pvrp.costs import trip_slots, vehicle_arc_costs
from ncorouting.errors import SolverError
from ncorouting.instance import PROFILED_PROBLEMS, Instance
from ncorouting.solvers import Solver

#: Non-integral data is scaled so that its largest value is about this many units.
INTEGER_RANGE = 1_000_000
#: Problems served by as many identical vehicles from the depot as needed.
DEPOT_FLEET_PROBLEMS = ("cvrp", "cvrptw", "acvrp", "acvrptw")


def power_of_ten_scale(values: np.ndarray, target: float) -> float:
    """The largest power of ten (at least 1) keeping the largest finite |value| at or under `target`."""
    finite = values[np.isfinite(values)]
    largest = float(np.abs(finite).max()) if finite.size else 0.0
    return float(10 ** max(0, math.floor(math.log10(target / (largest or 1.0)))))


def integer_scale(values: np.ndarray, target: float = INTEGER_RANGE) -> float:
    """1 for integral data, else a power of ten bringing the largest value near `target`."""
    finite = values[np.isfinite(values)]
    if np.allclose(finite, np.rint(finite)):
        return 1.0
    return power_of_ten_scale(finite, target)


class OrToolsSolver(Solver):
    """OR-Tools' routing solver: integer-scaled matrices (`RegisterTransitMatrix`), guided local search.

    `solution_limit` stops on a number of solutions instead of wall time, for reproducible runs
    (single worker: OR-Tools routing search is sequential).
    """

    name = "ortools"
    problems = ("tsp", "atsp", "cvrp", "cvrptw", "acvrp", "acvrptw", *PROFILED_PROBLEMS)
    side_constraints = True

    def __init__(self, default_time_limit: float = 1.0, solution_limit: int | None = None):
        self.default_time_limit = default_time_limit
        self.solution_limit = solution_limit

    def _solve(
        self, instance: Instance, time_limit: float | None, seed: int
    ) -> tuple[list[list[int]], list[int] | None]:
        limit = self.default_time_limit if time_limit is None else time_limit
        if instance.problem in PROFILED_PROBLEMS:
            return self._solve_profiled(instance, limit)
        if instance.fleet is not None:
            fleet_sizes = [len(instance.fleet)]
        elif instance.problem in DEPOT_FLEET_PROBLEMS or instance.time_windows is not None:
            demand = instance.demands.sum() if instance.demands is not None else 0.0
            lower = max(1, math.ceil(demand / instance.capacity)) if instance.capacity else 1
            if instance.problem not in DEPOT_FLEET_PROBLEMS:
                fleet_sizes = [1]
            else:
                fleet_sizes = [min(instance.num_clients, lower + max(3, math.ceil(0.3 * lower))), instance.num_clients]
        else:
            fleet_sizes = [1]
        for size in dict.fromkeys(fleet_sizes):
            found = self._run(instance, size, limit)
            if found is not None:
                return found
        raise SolverError(f"OR-Tools found no solution for {instance.name} within {limit} s; raise --time-limit")

    def _run(self, instance: Instance, num_vehicles: int, time_limit: float):
        manager = pywrapcp.RoutingIndexManager(instance.num_nodes, num_vehicles, 0)
        routing = pywrapcp.RoutingModel(manager)
        vehicles = [instance.vehicle(v if instance.fleet else None) for v in range(num_vehicles)]
        scale = integer_scale(instance.distances)
        by_cost: dict[float, int] = {}
        for v, vehicle in enumerate(vehicles):
            factor = vehicle.cost_per_distance
            if factor not in by_cost:
                matrix = np.rint(instance.distances * factor * scale).astype(np.int64).tolist()
                by_cost[factor] = routing.RegisterTransitMatrix(matrix)
            routing.SetArcCostEvaluatorOfVehicle(by_cost[factor], v)
        if instance.demands is not None:
            self._add_capacity(routing, instance, vehicles)
        if instance.time_windows is not None:
            self._add_time_windows(routing, manager, instance, vehicles)
        for client, allowed in (instance.allowed_vehicles or {}).items():
            routing.VehicleVar(manager.NodeToIndex(client)).SetValues(list(allowed))  # mandatory: no -1

        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = (
            routing_enums_pb2.FirstSolutionStrategy.SAVINGS
            if instance.problem in ("cvrp", "acvrp") and instance.fleet is None
            else routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        )
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
        if self.solution_limit is not None:
            params.solution_limit = self.solution_limit
        routing.CloseModelWithParameters(params)
        if instance.route_prefixes:
            locks = self._prefix_locks(instance, num_vehicles)
            if locks is None:
                return None
            routing.ApplyLocksToAllVehicles([[manager.NodeToIndex(n) for n in lock] for lock in locks], False)
        assignment = routing.SolveWithParameters(params)
        if assignment is None:
            return None
        routes, used = [], []
        for v in range(num_vehicles):
            index, route = routing.Start(v), []
            while not routing.IsEnd(index):
                node = manager.IndexToNode(index)
                if node != 0:
                    route.append(node)
                index = assignment.Value(routing.NextVar(index))
            if route:
                routes.append(route)
                used.append(v)
        return routes, (used if instance.fleet is not None else None)

    def _solve_profiled(self, instance: Instance, time_limit: float) -> tuple[list[list[int]], list[int]]:
        """Profiled VRP: each fleet vehicle becomes as many route slots as it may need trips, all with its
        own arc costs (`vehicle_arc_costs`: the objective J shifted by a constant) and zones."""
        costs = vehicle_arc_costs(instance)
        servable = [int(np.isfinite(costs[k, 0, 1:]).sum()) for k in range(len(costs))]
        for slots in dict.fromkeys([tuple(trip_slots(instance)), tuple(servable)]):
            owner = [k for k, count in enumerate(slots) for _ in range(count)]
            found = self._run_profiled(instance, costs, owner, time_limit)
            if found is not None:
                return found
        raise SolverError(f"OR-Tools found no solution for {instance.name} within {time_limit} s; raise --time-limit")

    def _run_profiled(self, instance: Instance, costs: np.ndarray, owner: list[int], time_limit: float):
        """One OR-Tools run with route slot v driven by fleet vehicle owner[v]; None when nothing found."""
        manager = pywrapcp.RoutingIndexManager(instance.num_nodes, len(owner), 0)
        routing = pywrapcp.RoutingModel(manager)
        scale = power_of_ten_scale(costs[np.isfinite(costs)], INTEGER_RANGE)
        integer_costs = np.rint(np.where(np.isfinite(costs), costs, 0.0) * scale).astype(np.int64)
        matrices = [routing.RegisterTransitMatrix(c.tolist()) for c in integer_costs]
        for v, k in enumerate(owner):
            routing.SetArcCostEvaluatorOfVehicle(matrices[k], v)
        self._add_capacity(routing, instance, [instance.fleet[k] for k in owner])
        for client, allowed in (instance.allowed_vehicles or {}).items():
            routing.VehicleVar(manager.NodeToIndex(client)).SetValues([v for v, k in enumerate(owner) if k in allowed])
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
        if self.solution_limit is not None:
            params.solution_limit = self.solution_limit
        assignment = routing.SolveWithParameters(params)
        if assignment is None:
            return None
        routes, vehicles = [], []
        for v in range(len(owner)):
            index, route = routing.Start(v), []
            while not routing.IsEnd(index):
                if manager.IndexToNode(index) != 0:
                    route.append(manager.IndexToNode(index))
                index = assignment.Value(routing.NextVar(index))
            if route:
                routes.append(route)
                vehicles.append(owner[v])
        ours = sum(int(integer_costs[k][np.r_[0, r], np.r_[r, 0]].sum()) for r, k in zip(routes, vehicles, strict=True))
        if ours != assignment.ObjectiveValue():  # the objective it optimised is the one we recompute
            raise RuntimeError(
                f"OR-Tools route mapping mismatch on {instance.name}: {ours} vs {assignment.ObjectiveValue()}"
            )
        return routes, vehicles

    @staticmethod
    def _prefix_locks(instance: Instance, num_vehicles: int) -> list[list[int]] | None:
        """One lock chain per vehicle: each prefix goes to the first free vehicle allowed for all its clients."""
        locks: list[list[int]] = [[] for _ in range(num_vehicles)]
        allowed = instance.allowed_vehicles or {}
        for prefix in instance.route_prefixes:
            free = [v for v in range(num_vehicles) if not locks[v] and all(v in allowed.get(c, [v]) for c in prefix)]
            if not free:
                return None
            locks[free[0]] = list(prefix)
        return locks

    @staticmethod
    def _add_capacity(routing: pywrapcp.RoutingModel, instance: Instance, vehicles: list) -> None:
        capacities = np.array([v.capacity for v in vehicles], dtype=float)
        finite = np.isfinite(capacities)
        scale = integer_scale(np.concatenate([instance.demands, capacities[finite]]), target=1e6)
        demands = np.ceil(instance.demands * scale - 1e-9).astype(np.int64).tolist()
        total = int(sum(demands))
        caps = [int(math.floor(c * scale + 1e-9)) if math.isfinite(c) else total for c in capacities]
        demand_cb = routing.RegisterUnaryTransitVector(demands)
        routing.AddDimensionWithVehicleCapacity(demand_cb, 0, caps, True, "load")

    @staticmethod
    def _add_time_windows(routing, manager, instance: Instance, vehicles: list) -> None:
        """Time dimension: travel time / speed + service time at the origin; waiting allowed."""
        tw = instance.time_windows
        service = instance.service_times if instance.service_times is not None else np.zeros(instance.num_nodes)
        scale = integer_scale(np.concatenate([instance.travel_times.ravel(), tw.ravel(), service]), target=1e6)
        by_speed: dict[float, int] = {}
        transits = []
        for vehicle in vehicles:
            if vehicle.speed not in by_speed:
                times = instance.travel_times / vehicle.speed + service[:, None]
                by_speed[vehicle.speed] = routing.RegisterTransitMatrix(
                    np.ceil(times * scale - 1e-9).astype(np.int64).tolist()
                )
            transits.append(by_speed[vehicle.speed])
        horizon = int(math.floor(tw[0, 1] * scale + 1e-9))
        routing.AddDimensionWithVehicleTransits(transits, horizon, horizon, False, "time")
        time = routing.GetDimensionOrDie("time")
        early, late = (
            np.ceil(tw[:, 0] * scale - 1e-9).astype(np.int64),
            np.floor(tw[:, 1] * scale + 1e-9).astype(np.int64),
        )
        for node in range(1, instance.num_nodes):
            time.CumulVar(manager.NodeToIndex(node)).SetRange(int(early[node]), int(late[node]))
        for v in range(len(vehicles)):
            time.CumulVar(routing.Start(v)).SetRange(int(early[0]), int(late[0]))
            time.CumulVar(routing.End(v)).SetRange(int(early[0]), int(late[0]))
