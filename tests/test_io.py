"""Instance and solution files: TSPLIB/CVRPLIB conventions, JSON and .npz round trips."""

import json

import numpy as np
import pytest
from helpers import small_cvrp

from ncorouting.envs.tsp.checker import tour_to_routes
from ncorouting.io import read_instance, write_solution
from ncorouting.io.datasets import generate_dataset, instances_from_batch, load_dataset, save_dataset
from ncorouting.io.json_files import instance_to_dict
from ncorouting.io.vrplib_files import read_tour, read_vrplib_solution
from ncorouting.io.writers import write_instance
from ncorouting.solution import Solution

PUBLISHED = {
    "tsplib/eil51.tsp": 426,
    "tsplib/berlin52.tsp": 7542,
    "tsplib/st70.tsp": 675,
    "tsplib/eil76.tsp": 538,
    "tsplib/kroA100.tsp": 21282,
    "cvrplib/A-n32-k5.vrp": 784,
    "cvrplib/E-n51-k5.vrp": 521,
    "cvrplib/P-n50-k10.vrp": 696,
    "cvrplib/X-n101-k25.vrp": 27591,
    "cvrplib/X-n106-k14.vrp": 26362,
    "cvrplib/X-n110-k13.vrp": 14971,
}


@pytest.mark.parametrize("name, optimum", PUBLISHED.items())
def test_known_optimal_solutions_cost_the_published_optimum(bench_dir, name, optimum):
    """Our cost of each file's optimal tour/solution (EUC_2D rounding) equals the published optimum."""
    path = bench_dir / name
    inst = read_instance(path)
    if inst.problem == "tsp":
        routes = tour_to_routes(read_tour(path.with_suffix(".opt.tour")))
    else:
        routes = read_vrplib_solution(path.with_suffix(".sol"))
    sol = Solution.from_routes(inst, routes, "published", 0.0)
    assert sol.feasible, sol.reason
    assert sol.cost == optimum
    assert inst.known_optimum == optimum


@pytest.mark.parametrize("name, n", [("br17", 17), ("ftv33", 34), ("p43", 43), ("ry48p", 48)])
def test_atsp_full_matrix_read_whatever_the_wrapping(bench_dir, name, n):
    inst = read_instance(bench_dir / "atsp" / f"{name}.atsp")
    assert inst.problem == "atsp" and inst.num_nodes == n
    assert inst.coords is None
    assert np.all(np.diag(inst.distances) == 0)
    assert not np.allclose(inst.distances, inst.distances.T)


def test_br17_first_row(bench_dir):
    inst = read_instance(bench_dir / "atsp" / "br17.atsp")
    assert inst.distances[0, :5].tolist() == [0, 3, 5, 48, 48]
    assert inst.distances[1, :3].tolist() == [3, 0, 3]  # second row starts after the wrapped "5"


def test_json_round_trip(tmp_path):
    inst = small_cvrp()
    path = tmp_path / "line.json"
    path.write_text(json.dumps(instance_to_dict(inst)))
    back = read_instance(path)
    assert back.problem == "cvrp" and back.capacity == 4
    np.testing.assert_allclose(back.distances, inst.distances)


def test_npz_round_trip_and_instances(tmp_path):
    td = generate_dataset("cvrp", 5, 20, seed=11)
    save_dataset(tmp_path / "d.npz", "cvrp", td)
    problem, back = load_dataset(tmp_path / "d.npz")
    assert problem == "cvrp"
    np.testing.assert_allclose(back["locs"].numpy(), td["locs"].numpy())
    inst = instances_from_batch("cvrp", back)[0]
    assert inst.capacity == 30 and inst.demands[0] == 0
    assert np.all(inst.demands[1:] == np.rint(inst.demands[1:])) and inst.demands[1:].min() >= 1


def test_same_seed_same_dataset():
    a = generate_dataset("tsp", 3, 20, seed=5)["locs"]
    b = generate_dataset("tsp", 3, 20, seed=5)["locs"]
    c = generate_dataset("tsp", 3, 20, seed=6)["locs"]
    assert (a == b).all() and not (a == c).all()


def test_solution_files_round_trip(tmp_path):
    inst = small_cvrp()
    sol = Solution.from_routes(inst, [[1, 2], [3, 4]], "hand", 0.0)
    write_solution(tmp_path / "x.sol", sol)
    assert read_vrplib_solution(tmp_path / "x.sol") == [[1, 2], [3, 4]]
    write_solution(tmp_path / "x.json", sol)
    assert json.loads((tmp_path / "x.json").read_text())["cost"] == pytest.approx(8.0)


def test_generated_vrplib_file_reads_back(tmp_path):
    inst = instances_from_batch("cvrp", generate_dataset("cvrp", 1, 20, seed=1))[0]
    back = read_instance(write_instance(tmp_path, inst))
    assert back.edge_weight_type == "EUC_2D" and back.num_nodes == 21
    np.testing.assert_array_equal(back.demands, inst.demands)
    tour_path = tmp_path / "t.tour"
    tsp = instances_from_batch("tsp", generate_dataset("tsp", 1, 20, seed=1))[0]
    write_solution(tour_path, Solution.from_routes(tsp, [list(range(1, 20))], "hand", 0.0))
    assert read_tour(tour_path) == list(range(20))
