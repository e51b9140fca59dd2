"""LKH-3 (elkai / LKHpy) and PyVRP HGS: optimal on small and standard instances, feasible always."""

import importlib.util
from unittest import mock

import numpy as np
import pytest
from helpers import small_cvrp, square_tsp

from ncorouting.baselines.lkh import LKHSolver, routes_from_depot_tour
from ncorouting.baselines.pyvrp_hgs import PyVRPSolver
from ncorouting.errors import InputError
from ncorouting.instance import Instance
from ncorouting.io import read_instance
from ncorouting.io.datasets import generate_dataset, instances_from_batch

#: The TSPLIB files are covered through `solve` in test_tsplib_formats.py.
ATSP_OPTIMA = {
    "atsp/br17.atsp": 39,
    "atsp/ftv33.atsp": 1286,
    "atsp/ry48p.atsp": 14422,
}


def test_depot_tour_split():
    assert routes_from_depot_tour(np.array([0, 3, 1, 0, 0, 2, 0])) == [[3, 1], [2]]


#: LKH-3 for CVRP runs through LKHpy, which has no wheel for Python 3.13.
needs_lkhpy = pytest.mark.skipif(importlib.util.find_spec("LKHpy") is None, reason="LKHpy has no wheel here")


def test_lkh_small_instances():
    lkh = LKHSolver()
    assert lkh.solve(Instance("tsp", np.array([[0, 2.0], [2, 0]])), time_limit=1).routes == [[1]]  # LKH needs 3
    assert lkh.solve(square_tsp(), time_limit=1).cost == pytest.approx(4.0)
    d = np.array([[0, 1, 9, 9], [9, 0, 1, 9], [9, 9, 0, 1], [1, 9, 9, 0]], dtype=float)
    assert lkh.solve(Instance("atsp", d, edge_weight_type="EXPLICIT"), time_limit=1).routes == [[1, 2, 3]]


def test_lkh_cvrp_without_lkhpy_names_the_alternative():
    with mock.patch("importlib.util.find_spec", return_value=None):
        with pytest.raises(InputError, match="LKHpy, which has no wheel for Python .*; use --solver hgs"):
            LKHSolver().solve(small_cvrp())


@needs_lkhpy
def test_lkh_small_cvrp():
    sol = LKHSolver().solve(small_cvrp(), time_limit=1)
    assert sol.feasible and sol.cost == pytest.approx(8.0)


@pytest.mark.slow
@pytest.mark.parametrize("name, optimum", ATSP_OPTIMA.items())
def test_lkh_reaches_atsp_optima(bench_dir, name, optimum):
    sol = LKHSolver().solve(read_instance(bench_dir / name), time_limit=10)
    assert sol.feasible and sol.cost == optimum


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1234])
def test_lkh_p43_reaches_its_optimum(bench_dir, seed):
    """p43 (many zero-cost arcs) needs about 10,000 trials: about 4 s here, under the 2 minutes allowed."""
    sol = LKHSolver().solve(read_instance(bench_dir / "atsp" / "p43.atsp"), time_limit=120, seed=seed)
    assert sol.cost == 5620


@needs_lkhpy
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
