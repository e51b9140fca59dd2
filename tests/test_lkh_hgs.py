"""LKH-3 (elkai / LKHpy) and PyVRP HGS: optimal on small and standard instances, feasible always."""

import numpy as np
import pytest
from helpers import small_cvrp, square_tsp

from ncorouting.baselines.lkh import LKHSolver, routes_from_depot_tour
from ncorouting.baselines.pyvrp_hgs import PyVRPSolver
from ncorouting.instance import Instance
from ncorouting.io import read_instance
from ncorouting.io.datasets import generate_dataset, instances_from_batch

TSPLIB_OPTIMA = {
    "tsplib/eil51.tsp": 426,
    "tsplib/berlin52.tsp": 7542,
    "tsplib/st70.tsp": 675,
    "tsplib/eil76.tsp": 538,
    "tsplib/kroA100.tsp": 21282,
    "atsp/br17.atsp": 39,
    "atsp/ftv33.atsp": 1286,
    "atsp/ry48p.atsp": 14422,
}


def test_depot_tour_split():
    assert routes_from_depot_tour(np.array([0, 3, 1, 0, 0, 2, 0])) == [[3, 1], [2]]


def test_lkh_small_instances():
    lkh = LKHSolver()
    assert lkh.solve(square_tsp(), time_limit=1).cost == pytest.approx(4.0)
    d = np.array([[0, 1, 9, 9], [9, 0, 1, 9], [9, 9, 0, 1], [1, 9, 9, 0]], dtype=float)
    assert lkh.solve(Instance("atsp", d, edge_weight_type="EXPLICIT"), time_limit=1).routes == [[1, 2, 3]]
    sol = lkh.solve(small_cvrp(), time_limit=1)
    assert sol.feasible and sol.cost == pytest.approx(8.0)


@pytest.mark.slow
@pytest.mark.parametrize("name, optimum", TSPLIB_OPTIMA.items())
def test_lkh_reaches_tsplib_optima(bench_dir, name, optimum):
    sol = LKHSolver().solve(read_instance(bench_dir / name), time_limit=10)
    assert sol.feasible and sol.cost == optimum


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1234])
def test_lkh_p43_reaches_its_optimum(bench_dir, seed):
    """p43 (many zero-cost arcs) needs about 10,000 trials: about 4 s here, under the 2 minutes allowed."""
    sol = LKHSolver().solve(read_instance(bench_dir / "atsp" / "p43.atsp"), time_limit=120, seed=seed)
    assert sol.cost == 5620


@pytest.mark.slow
def test_lkh_cvrp_generated_feasible():
    for inst in instances_from_batch("cvrp", generate_dataset("cvrp", 2, 20, seed=3)):
        sol = LKHSolver().solve(inst, time_limit=1)
        assert sol.feasible, sol.reason


def test_hgs_small_cvrp():
    sol = PyVRPSolver().solve(small_cvrp(), time_limit=0.5)
    assert sol.feasible and sol.cost == pytest.approx(8.0)


def test_hgs_asymmetric_matrix():
    d = np.array([[0, 1, 50, 50], [50, 0, 1, 50], [50, 50, 0, 1], [1, 50, 50, 0]], dtype=float)
    inst = Instance("cvrp", d, demands=np.array([0, 1, 1, 1.0]), capacity=3, edge_weight_type="EXPLICIT")
    sol = PyVRPSolver().solve(inst, time_limit=0.5)
    assert sol.routes == [[1, 2, 3]] and sol.cost == 4


@pytest.mark.slow
@pytest.mark.parametrize("name", ["A-n32-k5", "E-n51-k5", "P-n50-k10", "X-n101-k25", "X-n106-k14", "X-n110-k13"])
def test_hgs_within_1pct_of_cvrplib_optimum(bench_dir, name):
    sol = PyVRPSolver().solve(read_instance(bench_dir / "cvrplib" / f"{name}.vrp"), time_limit=10)
    assert sol.feasible and sol.gap <= 1.0
