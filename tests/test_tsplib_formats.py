"""Every TSPLIB convention users meet: coordinate types, the five EXPLICIT layouts, optimum sources."""

import json

import numpy as np
import pytest

from ncorouting.cli import main
from ncorouting.envs.tsp.checker import tour_to_routes
from ncorouting.io import read_instance
from ncorouting.io.vrplib_files import read_tour
from ncorouting.solution import Solution

#: Optima of the files in ../shared/data/benchmarks/tsplib (its README: TSPLIB, Reinelt 1991).
TSPLIB_OPTIMA = {
    "eil51": 426,
    "berlin52": 7542,
    "st70": 675,
    "eil76": 538,
    "kroA100": 21282,
    "burma14": 3323,
    "ulysses16": 6859,
    "gr17": 2085,
    "bayg29": 1610,
    "bays29": 2020,
    "att48": 10628,
    "gr96": 55209,
    "si175": 21407,
}

MATRIX = np.array([[0, 3, 4, 5], [3, 0, 6, 7], [4, 6, 0, 8], [5, 7, 8, 0]], dtype=float)
LAYOUTS = {
    "FULL_MATRIX": "0 3 4 5\n3 0 6 7\n4 6 0 8\n5 7 8 0",
    "LOWER_DIAG_ROW": "0\n3 0\n4 6 0\n5 7 8 0",
    "UPPER_DIAG_ROW": "0 3 4 5\n0 6 7\n0 8\n0",
    "LOWER_ROW": "3\n4 6\n5 7 8",
    "UPPER_ROW": "3 4 5\n6 7\n8",
}


def explicit_file(fmt: str, body: str) -> str:
    return (
        f"NAME : m4\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : {fmt}\n"
        f"EDGE_WEIGHT_SECTION\n{body}\nEOF\n"
    )


@pytest.mark.parametrize("fmt", LAYOUTS)
def test_every_explicit_layout_gives_the_same_matrix(tmp_path, fmt):
    path = tmp_path / f"{fmt}.tsp"
    path.write_text(explicit_file(fmt, LAYOUTS[fmt]))
    assert np.array_equal(read_instance(path).distances, MATRIX)


def test_full_matrix_may_wrap_its_rows(tmp_path):
    path = tmp_path / "wrapped.tsp"
    path.write_text(explicit_file("FULL_MATRIX", "0 3 4 5 3 0\n6 7 4 6 0 8 5\n7 8 0"))
    assert np.array_equal(read_instance(path).distances, MATRIX)


def test_geo_att_ceil_conventions(tmp_path):
    """GEO: TSPLIB's DDD.MM degrees on its idealised sphere; ATT: pseudo-Euclidean; CEIL_2D: rounded up."""
    coords = "1 16.47 96.10\n2 16.47 94.44\n3 20.09 92.54\n"
    header = "NAME : g\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : {}\nNODE_COORD_SECTION\n"
    for kind, expected in (("GEO", [[0, 153, 510], [153, 0, 422], [510, 422, 0]]),):
        path = tmp_path / f"{kind}.tsp"
        path.write_text(header.format(kind) + coords + "EOF\n")
        assert read_instance(path).distances.tolist() == expected
    path = tmp_path / "att.tsp"
    path.write_text(header.format("ATT") + "1 0 0\n2 10 0\n3 0 30\nEOF\n")
    assert read_instance(path).distances[0].tolist() == [0, 4, 10]  # sqrt(100/10)=3.16 -> 4; sqrt(90)=9.49 -> 10
    path = tmp_path / "ceil.tsp"
    path.write_text(header.format("CEIL_2D") + "1 0 0\n2 1 1\n3 3 0\nEOF\n")
    assert read_instance(path).distances[0].tolist() == [0, 2, 3]


@pytest.mark.parametrize("name", ["ulysses16", "bayg29", "bays29", "att48", "gr96"])
def test_shipped_optimal_tours_cost_exactly_the_optimum(bench_dir, name):
    path = bench_dir / "tsplib" / f"{name}.tsp"
    inst = read_instance(path)
    sol = Solution.from_routes(inst, tour_to_routes(read_tour(path.with_suffix(".opt.tour"))), "published", 0.0)
    assert sol.feasible and sol.cost == TSPLIB_OPTIMA[name]
    assert inst.optimum_source == f"{name}.opt.tour"


@pytest.mark.slow
def test_lkh_reaches_every_tsplib_optimum_through_solve(bench_dir, tmp_path):
    """`solve FOLDER --solver lkh --time-limit 10` on every TSPLIB file: gap 0 to each published optimum."""
    results = tmp_path / "results.json"
    code = main(["solve", str(bench_dir / "tsplib"), "--solver", "lkh", "--time-limit", "10", "--no-plot"]
                + ["--out", str(tmp_path / "out"), "--json", str(results), "--quiet"])  # fmt: skip
    assert code == 0
    records = {r["instance"]: r for r in json.loads(results.read_text())}
    assert set(records) == set(TSPLIB_OPTIMA)
    for name, optimum in TSPLIB_OPTIMA.items():
        assert records[name]["cost"] == optimum and records[name]["gap_pct"] == 0.0, name
        source = records[name]["optimum_source"]
        assert source.endswith(".opt.tour") or source.startswith("table"), (name, source)
