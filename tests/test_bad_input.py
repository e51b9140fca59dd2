"""Every bad input gets a clear error naming the file, line or field, and no output file."""

import json

import numpy as np
import pytest

from ncorouting.cli import main
from ncorouting.errors import CheckpointError, InputError, UnknownNameError
from ncorouting.instance import Instance
from ncorouting.io import read_instance
from ncorouting.io.datasets import load_dataset
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.inference import WEIGHTS_DIR
from ncorouting.registry import get_problem
from ncorouting.solvers import get_solver

TSP = """NAME : tiny
TYPE : TSP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 10 10
4 0 10
EOF
"""

CVRP = """NAME : tinyvrp
TYPE : CVRP
DIMENSION : 3
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 10 0
3 0 10
DEMAND_SECTION
1 0
2 4
3 6
DEPOT_SECTION
1
-1
EOF
"""


def write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def test_valid_files_read(tmp_path):
    assert read_instance(write(tmp_path, "a.tsp", TSP)).num_nodes == 4
    assert read_instance(write(tmp_path, "a.vrp", CVRP)).capacity == 10


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("trunc.tsp", TSP.replace("4 0 10\n", ""), "NODE_COORD_SECTION has 3 entries, DIMENSION is 4: node id 4"),
        (
            "nan.tsp",
            TSP.replace("3 10 10", "3 nan 10"),
            "line 8: NODE_COORD_SECTION: node 3: 'nan' is not a finite number",
        ),
        (
            "inf.tsp",
            TSP.replace("2 10 0", "2 inf 0"),
            "line 7: NODE_COORD_SECTION: node 2: 'inf' is not a finite number",
        ),
        ("type.tsp", TSP.replace("TYPE : TSP", "TYPE : HCP"), "TYPE 'HCP' is not supported"),
        ("ewt.tsp", TSP.replace("EUC_2D", "GEOM"), "EDGE_WEIGHT_TYPE 'GEOM' is not supported"),
        ("noewt.tsp", TSP.replace("EDGE_WEIGHT_TYPE : EUC_2D\n", ""), "missing EDGE_WEIGHT_TYPE"),
        (
            "garbage.tsp",
            "NAME : x\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 a b\n",
            "line 5: NODE_COORD_SECTION: node 1: 'a' is not a number",
        ),
        ("over.vrp", CVRP.replace("3 6", "3 16"), "line 13: DEMAND_SECTION: demand 16 of node 3 exceeds CAPACITY 10"),
        ("nocap.vrp", CVRP.replace("CAPACITY : 10\n", ""), "missing CAPACITY"),
        ("shortdem.vrp", CVRP.replace("3 6\n", ""), "DEMAND_SECTION has 2 entries, DIMENSION is 3"),
        ("depot.vrp", CVRP.replace("DEPOT_SECTION\n1", "DEPOT_SECTION\n2"), "single depot at node 1"),
        ("x.xyz", TSP, "unknown instance suffix '.xyz'"),
        (
            "short.atsp",
            "NAME: s\nTYPE: ATSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: FULL_MATRIX\n"
            "EDGE_WEIGHT_SECTION\n0 1 2\n3 0 4\nEOF\n",
            "EDGE_WEIGHT_SECTION holds 6 numbers; a FULL_MATRIX of DIMENSION 3 needs exactly 9",
        ),
    ],
)
def test_bad_files(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as err:
        read_instance(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"coords": [[0, 0], [1, 1]]}, "missing field 'problem'"),
        ({"problem": "tsq", "coords": [[0, 0], [1, 1]]}, "unknown problem 'tsq'"),
        ({"problem": "tsp", "coords": [[0, 0], [float("nan"), 1]]}, "field 'coords': node 1 has a non-finite"),
        ({"problem": "atsp", "distances": [[0, 1, 2], [1, 0, 3]]}, "field 'distances' must be a square matrix"),
        ({"problem": "tsp", "coords": [[0, 0, 0], [1, 1, 1]]}, "field 'coords' must be a list of [x, y] pairs"),
        (
            {"problem": "cvrp", "coords": [[0, 0], [1, 1]], "demands": [0, 11], "capacity": 10},
            "demand 11 of node 1 exceeds the vehicle capacity 10",
        ),
        ({"problem": "cvrp", "coords": [[0, 0], [1, 1]]}, "needs demands and a capacity"),
        ({"problem": "tsp"}, "needs field 'coords' or 'distances'"),
    ],
)
def test_bad_json(tmp_path, doc, message):
    path = write(tmp_path, "bad.json", json.dumps(doc))
    with pytest.raises((InputError, UnknownNameError)) as err:
        read_instance(path)
    assert message in str(err.value)


def test_invalid_json_names_line(tmp_path):
    path = write(tmp_path, "broken.json", '{"problem": "tsp",\n "coords": [[0, 0],\n}')
    with pytest.raises(InputError, match=r"broken.json, line 3: invalid JSON"):
        read_instance(path)


def test_non_square_matrix_instance():
    with pytest.raises(InputError, match=r"distance matrix must be square, got shape \(2, 3\)"):
        Instance("atsp", np.zeros((2, 3)), name="m")


def test_unknown_names():
    with pytest.raises(UnknownNameError, match="unknown problem .vrptw.; known: .*atsp, cvrp.*tsp"):
        get_problem("vrptw")
    with pytest.raises(UnknownNameError, match="unknown solver 'concorde'"):
        get_solver("concorde")


def test_checkpoint_for_another_problem_or_size():
    with pytest.raises(CheckpointError, match="trained for problem 'tsp', not 'cvrp'"):
        load_policy(WEIGHTS_DIR / "pomo_tsp20.pt", problem="cvrp")
    with pytest.raises(CheckpointError, match="trained on tsp20, not size 50"):
        load_policy(WEIGHTS_DIR / "pomo_tsp20.pt", problem="tsp", num_loc=50)


def test_corrupt_checkpoint(tmp_path):
    path = write(tmp_path, "junk.pt", "not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_policy(path)


def test_bad_dataset(tmp_path):
    np.savez(tmp_path / "d.npz", problem=np.asarray("tsp"), locs=np.full((2, 5, 2), np.nan))
    with pytest.raises(InputError, match="array 'locs' holds NaN"):
        load_dataset(tmp_path / "d.npz")


def test_cli_bad_input_exit_code_and_no_output(tmp_path, capsys):
    path = write(tmp_path, "over.vrp", CVRP.replace("3 6", "3 16"))
    out = tmp_path / "out"
    assert main(["solve", str(path), "--solver", "ortools", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "over.vrp, line 13" in err and "exceeds CAPACITY" in err
    assert not out.exists()


def test_cli_checkpoint_for_another_problem(tmp_path, capsys):
    path = write(tmp_path, "a.vrp", CVRP)
    out = tmp_path / "out"
    code = main(
        ["solve", str(path), "--solver", "pomo", "--checkpoint", str(WEIGHTS_DIR / "pomo_tsp20.pt"), "--out", str(out)]
    )
    assert code == 2
    assert "trained for problem 'tsp', not 'cvrp'" in capsys.readouterr().err
    assert not out.exists()


def test_cli_eval_policy_of_another_size_is_used_and_said(capsys):
    code = main(["eval", "--problem", "tsp", "--size", "30", "--num-instances", "2", "--reference", ""])
    assert code == 0
    assert "policy pomo_tsp20.pt trained on n=20 nodes, instance has 30 nodes" in capsys.readouterr().err


def test_cli_folder_with_one_bad_file_writes_nothing(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "good.tsp", TSP)
    write(folder, "bad.tsp", TSP.replace("4 0 10\n", ""))
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--solver", "ortools", "--out", str(out)]) == 2
    assert "bad.tsp" in capsys.readouterr().err
    assert not out.exists()


def test_neural_solver_refuses_matrix_only_instance(tmp_path, capsys):
    path = write(tmp_path, "m.json", json.dumps({"problem": "tsp", "distances": [[0, 1], [1, 0]]}))
    assert main(["solve", str(path), "--solver", "pomo", "--out", str(tmp_path / "o")]) == 2
    assert "needs node coordinates" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
