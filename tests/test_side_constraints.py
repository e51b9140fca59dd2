"""Side constraints on hand-made instances: the checker enforces each one, OR-Tools honours each one,
and solvers that cannot honour them refuse the instance instead of ignoring it."""

import numpy as np
import pytest

from ncorouting.baselines.ortools import OrToolsSolver
from ncorouting.errors import InputError
from ncorouting.instance import Instance, Vehicle, distances_from_coords
from ncorouting.solution import Solution
from ncorouting.solvers import get_solver

LINE = np.array([[0, 0], [1, 0], [2, 0], [-1, 0], [-2, 0]], dtype=float)  # depot, two clients each side


def line_instance(**constraints) -> Instance:
    demands = constraints.pop("demands", np.array([0, 1, 1, 1, 1], dtype=float))
    capacity = constraints.pop("capacity", 10)
    return Instance(
        "cvrp", distances_from_coords(LINE), coords=LINE, demands=demands, capacity=capacity, name="line", **constraints
    )


def solve(inst: Instance, solver: str = "ortools") -> Solution:
    if solver == "ortools":
        sol = OrToolsSolver(solution_limit=2000).solve(inst, time_limit=5)
    else:
        sol = get_solver(solver).solve(inst, time_limit=0.5)
    assert sol.feasible, sol.reason
    return sol


BOTH = pytest.mark.parametrize("solver", ["ortools", "hgs"])


@BOTH
def test_per_vehicle_capacity(solver):
    inst = line_instance(demands=np.array([0, 3, 3, 1, 1.0]), fleet=[Vehicle(capacity=2), Vehicle(capacity=6)])
    sol = solve(inst, solver)
    by_vehicle = dict(zip(sol.vehicles, map(sorted, sol.routes), strict=True))
    assert by_vehicle == {1: [1, 2], 0: [3, 4]}
    wrong = Solution.from_routes(inst, [[1, 2], [3, 4]], "hand", 0, vehicles=[0, 1])
    assert not wrong.feasible and "over the capacity 2" in wrong.reason


@BOTH
def test_cost_per_distance_prefers_the_cheap_vehicle(solver):
    inst = line_instance(fleet=[Vehicle(capacity=10, cost_per_distance=3.0), Vehicle(capacity=10)])
    sol = solve(inst, solver)
    assert sol.vehicles == [1] and sol.cost == pytest.approx(8.0)
    assert Solution.from_routes(inst, sol.routes, "hand", 0, vehicles=[0]).cost == pytest.approx(24.0)


@BOTH
def test_allowed_vehicles(solver):
    fleet = [Vehicle(capacity=10), Vehicle(capacity=10, cost_per_distance=1.5)]
    inst = line_instance(fleet=fleet, allowed_vehicles={3: [1], 4: [1]})
    sol = solve(inst, solver)
    assert dict(zip(sol.vehicles, map(sorted, sol.routes), strict=True)) == {0: [1, 2], 1: [3, 4]}
    wrong = Solution.from_routes(inst, [[1, 2, 3, 4]], "hand", 0, vehicles=[0])
    assert "client 3 is served by vehicle 0, allowed only [1]" in wrong.reason


@BOTH
def test_time_windows_with_service_times_on_durations(solver):
    durations = 10 * distances_from_coords(LINE)  # travel time differs from distance
    windows = np.array([[0, 200], [0, 200], [0, 200], [0, 15], [0, 200.0]])
    inst = line_instance(durations=durations, time_windows=windows, service_times=np.array([0, 5, 5, 5, 5.0]))
    sol = solve(inst, solver)
    route_with_3 = next(r for r in sol.routes if 3 in r)
    assert route_with_3[0] == 3  # reached at t=10 directly; via another client it would be too late
    late = Solution.from_routes(inst, [[1, 2, 3, 4]], "hand", 0)
    assert not late.feasible and "after its window closes at 15" in late.reason


@BOTH
def test_speed_decides_who_meets_a_window(solver):
    windows = np.array([[0, 100], [0, 100], [0, 100], [0, 100], [0, 1.5]])
    fleet = [Vehicle(capacity=10, speed=1.0), Vehicle(capacity=10, speed=2.0)]
    inst = line_instance(time_windows=windows, fleet=fleet)
    sol = solve(inst, solver)
    route_with_4 = next(k for k, r in enumerate(sol.routes) if 4 in r)
    assert sol.vehicles[route_with_4] == 1
    slow = Solution.from_routes(inst, [[1, 2], [4, 3]], "hand", 0, vehicles=[1, 0])
    assert not slow.feasible and "node 4 at 2" in slow.reason


def test_locked_prefix():
    inst = line_instance(route_prefixes=[[2, 3]])
    sol = solve(inst)
    assert any(r[:2] == [2, 3] for r in sol.routes)
    free = Solution.from_routes(inst, [[1, 2], [3, 4]], "hand", 0)
    assert "no route starts with the required prefix [2, 3]" in free.reason


def test_fleet_solution_needs_vehicles():
    inst = line_instance(fleet=[Vehicle(capacity=10)])
    assert "give one vehicle per route" in Solution.from_routes(inst, [[1, 2, 3, 4]], "hand", 0).reason
    assert "more than one route" in Solution.from_routes(inst, [[1, 2], [3, 4]], "hand", 0, vehicles=[0, 0]).reason


@pytest.mark.parametrize("name", ["lkh", "pomo"])
def test_solvers_without_side_constraints_refuse(name):
    inst = line_instance(time_windows=np.array([[0, 100.0]] * 5))
    with pytest.raises(InputError, match="does not handle fleets, time windows"):
        get_solver(name).solve(inst)


def test_hgs_refuses_route_prefixes():
    with pytest.raises(InputError, match="cannot lock route prefixes"):
        get_solver("hgs").solve(line_instance(route_prefixes=[[1]]))


@pytest.mark.parametrize(
    "constraints, message",
    [
        ({"time_windows": np.array([[0, 1]] * 4 + [[5, 1]])}, "time window of node 4 is invalid"),
        ({"durations": np.zeros((3, 3))}, "durations must have shape (5, 5)"),
        ({"allowed_vehicles": {1: [0]}}, "allowed_vehicles needs a fleet"),
        ({"fleet": [Vehicle(capacity=10)], "allowed_vehicles": {1: [3]}}, "must be fleet indices"),
        ({"route_prefixes": [[0, 1]]}, "route prefix 0 must be a non-empty list of clients"),
        ({"fleet": [Vehicle(capacity=0.5)]}, "demand 1 of node 1 exceeds the vehicle capacity 0.5"),
    ],
)
def test_bad_side_constraints(constraints, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        line_instance(**constraints)
