"""The shipped RRNCO and MatNet policies load with no flag, solve city instances (JSON) and TSPLIB `.atsp`
files from the command line, and RRNCO stays within a bounded gap of the classical references (and ahead of
MatNet) on a city none of them was trained on."""

from __future__ import annotations

import numpy as np
import pytest
from test_realworld import write_grid_osm

from ncorouting.cli import main
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.inference import shipped_checkpoint
from ncorouting.realworld.city import build_city, save_city
from ncorouting.realworld.instances import sample_instances
from ncorouting.solvers import get_solver

#: The shipped policies (model, problem), all at N = 50.
SHIPPED = [("rrnco", "atsp"), ("rrnco", "acvrp"), ("rrnco", "acvrptw"), ("matnet", "atsp")]
#: Per shipped RRNCO problem: classical reference, its seconds per instance, and the mean gap (%) allowed on
#: 4 instances of the synthetic grid city (measured: ATSP 21.8 %, MatNet 106 %; ACVRP 25.8 %; ACVRPTW 9.0 %).
REFERENCES = {"atsp": ("lkh", 0.5, 30.0), "acvrp": ("hgs", 0.5, 35.0), "acvrptw": ("hgs", 0.5, 20.0)}


@pytest.fixture(scope="module")
def grid_city(tmp_path_factory):
    return build_city(
        write_grid_osm(tmp_path_factory.mktemp("osm") / "grid.osm", size=7), num_points=120, progress=False
    )


def write_atsp(path, distances: np.ndarray) -> None:
    """A TSPLIB ATSP file with an integer FULL_MATRIX (metres)."""
    rows = "\n".join(" ".join(str(int(round(v * 1000))) for v in row) for row in distances)
    path.write_text(
        f"NAME : {path.stem}\nTYPE : ATSP\nDIMENSION : {len(distances)}\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
        f"EDGE_WEIGHT_FORMAT : FULL_MATRIX\nEDGE_WEIGHT_SECTION\n{rows}\nEOF\n"
    )


@pytest.mark.parametrize(("model", "problem"), SHIPPED)
def test_shipped_policy_is_found_without_flags(model, problem):
    path = shipped_checkpoint(model, problem, 50)
    assert path.name == f"{model}_{problem}50.pt"
    _, meta = load_policy(path, problem=problem, num_loc=50)
    assert meta["model"] == model and meta["global_step"] > 0


@pytest.mark.slow
def test_solve_city_json_and_atsp_files_without_flags(grid_city, tmp_path, capsys):
    stops = tmp_path / "stops"
    city_file = tmp_path / "grid.npz"
    save_city(grid_city, city_file)
    sample = ["realworld", "sample", "--city", str(city_file), "--problem", "acvrptw", "--size", "20"]
    assert main([*sample, "--out", str(stops)]) == 0
    write_atsp(tmp_path / "grid15.atsp", sample_instances(grid_city, "atsp", 15, 1, seed=8)[0].distances)
    for target, solver in ((stops, "rrnco"), (tmp_path / "grid15.atsp", "rrnco"), (tmp_path / "grid15.atsp", "matnet")):
        assert main(["solve", str(target), "--solver", solver, "--out", str(tmp_path / "out"), "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "INFEASIBLE" not in out and out.count(" rrnco ") == 2 and out.count(" matnet ") == 1


@pytest.mark.slow
@pytest.mark.parametrize("problem", list(REFERENCES))
def test_shipped_policy_near_classical_reference_on_an_unseen_city(grid_city, problem):
    reference, seconds, max_gap = REFERENCES[problem]
    instances = sample_instances(grid_city, problem, 50, 4, seed=11)
    neural = get_solver("rrnco").solve_many(instances)
    classical = get_solver(reference).solve_many(instances, time_limit=seconds)
    assert all(s.feasible for s in neural + classical)
    gap = np.mean([100 * (n.cost - c.cost) / c.cost for n, c in zip(neural, classical, strict=True)])
    assert -1.0 < gap < max_gap
    if problem == "atsp":  # the neural peer, trained on the same data for the same time
        matnet = get_solver("matnet").solve_many(instances)
        assert all(s.feasible for s in matnet)
        assert np.mean([s.cost for s in matnet]) > np.mean([s.cost for s in neural])
