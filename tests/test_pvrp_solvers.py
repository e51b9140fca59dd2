"""Classical references on the PVRP objective: per-vehicle arc costs equal J up to a constant, HGS and
OR-Tools solutions pass the checker (zones included), nearest neighbour is feasible and worse than HGS."""

import numpy as np
import pytest

from ncorouting.envs.pvrp.costs import objective_shift, regret_offset, vehicle_arc_costs
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.solvers import get_solver


def instances(problem: str, count: int, size: int, seed: int, **params):
    return instances_from_batch(problem, generate_dataset(problem, count, size, seed=seed, **params), name=problem)


@pytest.mark.parametrize("problem", ["pvrp_p", "pvrp_zc"])
def test_arc_costs_are_the_objective_shifted(problem):
    """For any feasible solution, the per-vehicle arc costs sum to J + alpha * n * max p (the claim the
    classical solvers rely on); forbidden arcs are infinite; the regret scale is never negative."""
    nearest = get_solver("nearest")
    for inst in instances(problem, 20, 12, seed=3, num_agents=4):
        sol = nearest.solve(inst)
        costs = vehicle_arc_costs(inst)
        arc_sum = sum(costs[v, np.r_[0, r], np.r_[r, 0]].sum() for r, v in zip(sol.routes, sol.vehicles, strict=True))
        assert arc_sum - objective_shift(inst) == pytest.approx(sol.cost, abs=1e-9)
        assert sol.cost + regret_offset(inst) >= 0
        for client, allowed in (inst.allowed_vehicles or {}).items():
            into = costs[[k for k in range(4) if k not in allowed]][:, np.arange(inst.num_nodes) != client, client]
            assert np.isinf(into).all()


@pytest.mark.slow
@pytest.mark.parametrize("problem", ["pvrp_p", "pvrp_zc"])
def test_hgs_and_ortools_solutions_pass_the_checker(problem):
    """100 instances each: every HGS and OR-Tools solution is feasible (zones respected), HGS no worse than
    nearest neighbour on average."""
    batch = instances(problem, 100, 10, seed=11)
    hgs = get_solver("hgs").solve_many(batch, time_limit=0.05)
    ortools = get_solver("ortools").solve_many(batch, time_limit=0.05)
    nearest = get_solver("nearest").solve_many(batch)
    for solutions in (hgs, ortools, nearest):
        assert all(s.feasible for s in solutions), next(s.reason for s in solutions if not s.feasible)
    for sol in hgs + ortools:
        for route, vehicle in zip(sol.routes, sol.vehicles, strict=True):
            assert all(vehicle in (sol.instance.allowed_vehicles or {}).get(c, [vehicle]) for c in route)
        assert sol.terms["travel_time"] > 0
    assert np.mean([s.cost for s in hgs]) < np.mean([s.cost for s in nearest])
    if problem == "pvrp_p":
        assert np.mean([s.terms["preference"] for s in hgs]) > 0


@pytest.mark.slow
def test_hgs_uses_the_preferred_vehicle():
    """Two identical vehicles but for their preferences (1 for one half of the clients, 0 for the other):
    with a large alpha each client goes to the vehicle that prefers it."""
    inst = instances("pvrp_p", 1, 8, seed=4, num_agents=2, preference="angle")[0]
    inst.alpha = 0.9
    sol = get_solver("hgs").solve(inst, time_limit=0.2)
    assert sol.feasible
    for route, vehicle in zip(sol.routes, sol.vehicles, strict=True):
        assert all(inst.preferences[vehicle, c - 1] == 1 for c in route)
    assert sol.terms["preference"] == inst.num_clients


@pytest.mark.slow
def test_heterogeneous_fleet_with_classical_solvers():
    """Per-vehicle capacities and speeds: every trip within its vehicle's capacity; the fast vehicle (speed
    2, cheapest per distance in time) carries the most trips under HGS."""
    params = {"num_agents": 3, "capacity": [20.0, 40.0, 60.0], "speed": [0.5, 1.0, 2.0]}
    batch = instances("pvrp_zc", 10, 12, seed=8, **params)
    for name in ("hgs", "ortools"):
        solutions = get_solver(name).solve_many(batch, time_limit=0.1)
        assert all(s.feasible for s in solutions), name
        share_fast = np.mean([np.mean(np.array(s.vehicles) == 2) for s in solutions])
        assert share_fast > 0.5, (name, share_fast)
