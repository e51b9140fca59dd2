"""PyVRP's hybrid genetic search (HGS), the strongest CVRP reference, on our integer-scaled matrices,
with heterogeneous vehicles (capacity, speed, cost per distance), allowed vehicles and time windows.
Route prefixes cannot be locked in PyVRP, so instances with them are refused."""

from __future__ import annotations

import math

import numpy as np
from pyvrp import Model
from pyvrp.stop import MaxRuntime

from ncorouting.baselines.ortools import integer_scale, power_of_ten_scale
from ncorouting.envs.pvrp.costs import vehicle_arc_costs
from ncorouting.instance import PROFILED_PROBLEMS, Instance
from ncorouting.solvers import Solver

#: PyVRP penalises load excess per unit against arc cost, with a bounded penalty weight: arc costs
#: (distance x unit cost) and loads must stay on comparable integer scales, or the bound saturates
#: and it returns overloaded routes (seen on CVRP10 with unit cost 100 and capacity 20).
COST_RANGE = 100_000
LOAD_RANGE = 100_000
#: PyVRP's unit costs are integers: fractional costs per distance get at most this factor.
UNIT_COST_RANGE = 100
#: Arc length into a client that a vehicle may not serve (PyVRP has no allowed-vehicles field).
FORBIDDEN = 10**9


def _ints(values: np.ndarray, scale: float, up: bool) -> np.ndarray:
    return (np.ceil(values * scale - 1e-9) if up else np.floor(values * scale + 1e-9)).astype(np.int64)


class PyVRPSolver(Solver):
    """PyVRP HGS for CVRP (symmetric or asymmetric matrix) under a wall-time limit, seeded."""

    name = "hgs"
    problems = ("cvrp", "cvrptw", "acvrp", "acvrptw", *PROFILED_PROBLEMS)
    side_constraints = True

    def __init__(self, default_time_limit: float = 1.0):
        self.default_time_limit = default_time_limit

    def supports(self, instance: Instance) -> str | None:
        reason = super().supports(instance)
        if reason is None and instance.route_prefixes:
            reason = "solver 'hgs' cannot lock route prefixes (PyVRP has no such constraint)"
        return reason

    def _solve(
        self, instance: Instance, time_limit: float | None, seed: int
    ) -> tuple[list[list[int]], list[int] | None]:
        limit = self.default_time_limit if time_limit is None else time_limit
        fleet = instance.fleet or [instance.vehicle(None)]
        unit_costs_float = np.array([v.cost_per_distance for v in fleet])
        unit_costs = np.rint(unit_costs_float * integer_scale(unit_costs_float, UNIT_COST_RANGE)).astype(np.int64)
        distance_range = COST_RANGE / max(1, int(unit_costs.max()))
        weights = np.rint(instance.distances * integer_scale(instance.distances, distance_range)).astype(np.int64)
        profiled = instance.problem in PROFILED_PROBLEMS
        if profiled:  # one arc-cost matrix per vehicle: the objective J shifted by a constant (envs/pvrp/costs)
            costs = vehicle_arc_costs(instance)
            scale = power_of_ten_scale(costs[np.isfinite(costs)], COST_RANGE)
            weights = np.where(np.isfinite(costs), np.rint(costs * scale), FORBIDDEN).astype(np.int64)
            unit_costs = np.ones(len(fleet), dtype=np.int64)
        capacities = np.array([v.capacity for v in fleet])
        # loads scaled up to about LOAD_RANGE even when integral (a power of ten keeps them exact)
        demand_scale = power_of_ten_scale(np.append(instance.demands, capacities), LOAD_RANGE)
        demands = _ints(instance.demands, demand_scale, up=True)

        model = Model()
        xy = instance.coords if instance.coords is not None else np.zeros((instance.num_nodes, 2))
        locations = [model.add_location(x=float(x), y=float(y)) for x, y in xy]
        tw = instance.time_windows
        time_scale = 1.0
        if tw is not None:
            service = instance.service_times if instance.service_times is not None else np.zeros(instance.num_nodes)
            time_scale = integer_scale(np.concatenate([instance.travel_times.ravel(), tw.ravel(), service]), 1e6)
            early, late = _ints(tw[:, 0], time_scale, up=True), _ints(tw[:, 1], time_scale, up=False)
            service_int = _ints(service, time_scale, up=True)
            depot = model.add_depot(locations[0], tw_early=int(early[0]), tw_late=int(late[0]))
            for node in range(1, instance.num_nodes):
                model.add_client(
                    locations[node],
                    delivery=int(demands[node]),
                    service_duration=int(service_int[node]),
                    tw_early=int(early[node]),
                    tw_late=int(late[node]),
                )
        else:
            depot = model.add_depot(locations[0])
            for node in range(1, instance.num_nodes):
                model.add_client(locations[node], delivery=int(demands[node]))

        for v, vehicle in enumerate(fleet):
            profile = model.add_profile(name=f"vehicle{v}")
            durations = np.zeros((instance.num_nodes, instance.num_nodes), dtype=np.int64)
            if tw is not None:
                durations = _ints(instance.travel_times / vehicle.speed, time_scale, up=True)
            arc = (weights[v] if profiled else weights).copy()
            forbidden = [c for c, allowed in (instance.allowed_vehicles or {}).items() if v not in allowed]
            arc[:, forbidden] = FORBIDDEN
            np.fill_diagonal(arc, 0)  # PyVRP requires zero self loops
            for i, frm in enumerate(locations):
                for j, to in enumerate(locations):
                    model.add_edge(frm, to, distance=int(arc[i, j]), duration=int(durations[i, j]), profile=profile)
            capacity = (
                int(demands.sum())
                if not math.isfinite(vehicle.capacity)
                else _ints(np.array([vehicle.capacity]), demand_scale, up=False)[0]
            )
            model.add_vehicle_type(
                num_available=1 if instance.fleet and not profiled else instance.num_clients,
                capacity=int(capacity),
                start_depot=depot,
                end_depot=depot,
                unit_distance_cost=int(unit_costs[v]),
                profile=profile,
                **({"tw_early": int(early[0]), "tw_late": int(late[0])} if tw is not None else {}),
            )
        result = model.solve(stop=MaxRuntime(limit), seed=seed, display=False)
        routes, vehicles = [], []
        for route in result.best.routes():
            # a client activity's idx counts clients from 0 in insertion order: our node is idx + 1
            routes.append([int(a.idx) + 1 for a in route if a.is_client()])
            vehicles.append(int(route.vehicle_type()))
        self._check_mapping(instance, weights, routes, vehicles, unit_costs, result)
        return routes, (vehicles if instance.fleet else None)

    @staticmethod
    def _check_mapping(instance, weights, routes, vehicles, unit_costs, result) -> None:
        """Our integer cost of the routes must equal PyVRP's objective: else we misread its output."""
        if not result.is_feasible():
            return
        ours = sum(
            int(unit_costs[v]) * int((weights[v] if weights.ndim == 3 else weights)[np.r_[0, r], np.r_[r, 0]].sum())
            for r, v in zip(routes, vehicles, strict=True)
        )
        if ours != result.cost():
            raise RuntimeError(f"PyVRP route mapping mismatch on {instance.name}: {ours} vs {result.cost()}")
