"""Hostile files and arguments: each ends in an `error:` line naming the file, line or field, exit
code 2 and nothing written; outputs never go where a file's contents say."""

import json
import math

import numpy as np
import pytest
from test_bad_input import CVRP, TSP, write

from ncorouting.cli import main
from ncorouting.errors import InputError
from ncorouting.io import read_instance
from ncorouting.solvers import get_solver


@pytest.mark.parametrize(
    "name, text, message",
    [
        (
            "dimtext.tsp",
            TSP.replace("DIMENSION : 4", "DIMENSION : ten"),
            "line 3: DIMENSION must be a number, got 'ten'",
        ),
        ("capabc.vrp", CVRP.replace("CAPACITY : 10", "CAPACITY : abc"), "line 5: CAPACITY must be a number, got 'abc'"),
        ("shortline.tsp", TSP.replace("3 10 10", "3 10"), "line 8: NODE_COORD_SECTION: expected 3 fields"),
        (
            "dupid.tsp",
            TSP.replace("4 0 10", "3 0 10"),
            "line 9: NODE_COORD_SECTION: node id 3 appears twice (lines 8 and 9)",
        ),
        (
            "badid.tsp",
            TSP.replace("4 0 10", "7 0 10"),
            "line 9: NODE_COORD_SECTION: node id '7' is not a whole number in 1..4",
        ),
        ("euc3d.tsp", TSP.replace("EUC_2D", "EUC_3D"), "EDGE_WEIGHT_TYPE 'EUC_3D' is not supported"),
        ("huge.tsp", TSP.replace("3 10 10", "3 1e12 10"), "the distance from node 1 to node 3 is 1e+12"),
        (
            "dist.vrp",
            CVRP.replace("CAPACITY : 10", "CAPACITY : 10\nDISTANCE : 50"),
            "DISTANCE (a route-length limit) is not supported",
        ),
        (
            "twice.tsp",
            TSP.replace("TYPE : TSP", "TYPE : TSP\nDIMENSION : 4"),
            "DIMENSION is given twice (lines 3 and 4)",
        ),
        ("negdem.vrp", CVRP.replace("2 4", "2 -4"), "line 12: DEMAND_SECTION: demand -4 of node 2 is negative"),
        (
            "onenode.tsp",
            "NAME : a\nTYPE : TSP\nDIMENSION : 1\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\nEOF\n",
            "DIMENSION must be at least 2",
        ),
        (
            "extra.tsp",
            "NAME : x\nTYPE : TSP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : FULL_MATRIX\n"
            "EDGE_WEIGHT_SECTION\n0 1\n1 0\n5\nEOF\n",
            "EDGE_WEIGHT_SECTION holds 5 numbers; a FULL_MATRIX of DIMENSION 2 needs exactly 4",
        ),
        (
            "rows.tsp",
            "NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : FULL_MATRIX\n"
            "EDGE_WEIGHT_SECTION\n0 1 2 3\n1 0\n2 3 0\nEOF\n",
            "line 7: EDGE_WEIGHT_SECTION: row 1 of the FULL_MATRIX holds 4 numbers, not 3",
        ),
        (
            "lower.tsp",
            "NAME : x\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : LOWER_DIAG_ROW\n"
            "EDGE_WEIGHT_SECTION\n0\n1 0\nEOF\n",
            "EDGE_WEIGHT_SECTION holds 3 numbers; a LOWER_DIAG_ROW of DIMENSION 3 needs exactly 6",
        ),
    ],
)
def test_malformed_files_name_line_and_field(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as err:
        read_instance(path)
    assert str(path) in str(err.value) and message in str(err.value)


@pytest.mark.parametrize(
    "doc, message",
    [
        (
            {"problem": "cvrp", "coords": [[0, 0], [1, 1]], "demands": [0, 1], "capacity": "ten"},
            "field 'capacity' must be a finite number, got \"ten\"",
        ),
        (
            {"problem": "tsp", "coords": [[0, 0], [1, 1]], "known_optimum": "abc"},
            "field 'known_optimum' must be a finite number, got \"abc\"",
        ),
        ({"problem": "tsp", "coords": [[0, 0], [1, 1]], "name": ["x"]}, "field 'name' must be a string"),
        ({"problem": "tsp", "coords": [[0, 0], [1e15, 1]]}, "distances must be finite, non-negative and at most 1e+09"),
    ],
)
def test_json_fields_of_the_wrong_type(tmp_path, doc, message):
    with pytest.raises(InputError, match="bad.json") as err:
        read_instance(write(tmp_path, "bad.json", json.dumps(doc)))
    assert message in str(err.value)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--time-limit", "0"], "argument --time-limit: must be a finite number above 0, got 0"),
        (["--time-limit", "-2"], "argument --time-limit: must be a finite number above 0, got -2"),
        (["--time-limit", "nan"], "argument --time-limit: must be a finite number above 0, got nan"),
        (["--num-augment", "3"], "argument --num-augment: invalid choice: 3"),
        (["--solver", "hgs", "--checkpoint", "x.pt"], "--checkpoint applies to solver(s) pomo, am"),
    ],
)
def test_bad_arguments_exit_2_with_an_error_line(tmp_path, capsys, args, message):
    path = write(tmp_path, "a.tsp", TSP)
    out = tmp_path / "out"
    try:
        code = main(["solve", str(path), "--out", str(out), *args])
    except SystemExit as stop:  # argparse's own errors
        code = stop.code
    assert code == 2
    err = capsys.readouterr().err
    assert "error:" in err and message in err
    assert not out.exists()


def test_file_name_never_decides_where_outputs_go(tmp_path, capsys):
    """A NAME of '../../escape' or '/tmp/x' names the instance, not the output path."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.tsp", TSP.replace("NAME : tiny", "NAME : ../../escape"))
    write(folder, "b.json", json.dumps({"problem": "tsp", "name": "/tmp/abs/x", "coords": [[0, 0], [3, 0], [3, 4]]}))
    out = tmp_path / "deep" / "out"
    assert main(["solve", str(folder), "--solver", "ortools", "--time-limit", "0.2", "--out", str(out)]) == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == [
        "deep/out/a.ortools.png",
        "deep/out/a.ortools.tour",
        "deep/out/b.ortools.png",
        "deep/out/b.ortools.tour",
        "in/a.tsp",
        "in/b.json",
    ]
    assert "../../escape" in capsys.readouterr().out  # still shown as the instance's name


def test_clashing_outputs_and_file_out_refused_before_solving(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "same.tsp", TSP)
    write(folder, "same.json", json.dumps({"problem": "tsp", "coords": [[0, 0], [1, 1]]}))
    assert main(["solve", str(folder), "--solver", "ortools", "--out", str(tmp_path / "o")]) == 2
    assert "would write the same output files 'same.*'" in capsys.readouterr().err
    target = write(tmp_path, "exists.txt", "not a folder")
    assert main(["solve", str(folder / "same.tsp"), "--solver", "ortools", "--out", str(target)]) == 2
    assert "--out names an existing file" in capsys.readouterr().err
    assert not (tmp_path / "o").exists() and target.read_text() == "not a folder"


def test_folder_entry_that_is_a_directory(tmp_path, capsys):
    folder = tmp_path / "in"
    (folder / "trap.tsp").mkdir(parents=True)
    write(folder, "ok.tsp", TSP)
    assert main(["solve", str(folder), "--solver", "ortools", "--out", str(tmp_path / "o")]) == 2
    assert "trap.tsp: is a directory" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_json_and_csv_results(tmp_path, capsys):
    path = write(tmp_path, "sq.tsp", TSP)
    results, table = tmp_path / "r.json", tmp_path / "r.csv"
    args = ["solve", str(path), "--solver", "ortools", "--time-limit", "0.2", "--out", str(tmp_path / "o")]
    assert main([*args, "--json", str(results), "--csv", str(table), "--quiet", "--no-plot"]) == 0
    assert capsys.readouterr().out == ""  # --quiet
    (record,) = json.loads(results.read_text())
    assert record["instance"] == "tiny" and record["solver"] == "ortools" and record["feasible"] is True
    assert record["cost"] == 40.0 and record["routes"] == [[1, 2, 3]] or record["routes"] == [[3, 2, 1]]
    assert record["reason"] is None and isinstance(record["time_s"], float)
    assert record["optimum"] is None and record["optimum_source"] is None and record["gap_pct"] is None
    assert record["outputs"] == [str(tmp_path / "o" / "sq.ortools.tour")]
    assert "cost" in table.read_text().splitlines()[0]


def test_table_optimum_applies_only_to_the_published_instance(tmp_path, capsys):
    """A file named like a TSPLIB instance but of another size gets no optimum; one of the same size
    that a solver beats gets a warning and no (negative) gap."""
    other_size = TSP.replace("NAME : tiny", "NAME : eil51")
    assert read_instance(write(tmp_path, "a.tsp", other_size)).known_optimum is None
    coords = "\n".join(f"{i + 1} {x} {y}" for i, (x, y) in enumerate(np.random.default_rng(0).random((51, 2)) * 10))
    fake = f"NAME : eil51\nTYPE : TSP\nDIMENSION : 51\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n{coords}\nEOF\n"
    path = write(tmp_path, "eil51.tsp", fake)
    inst = read_instance(path)
    assert inst.known_optimum == 426 and inst.optimum_source.startswith("table")
    results = tmp_path / "r.json"
    assert main(["solve", str(path), "--solver", "ortools", "--time-limit", "0.3", "--out", str(tmp_path / "o"),
                 "--json", str(results), "--no-plot"]) == 0  # fmt: skip
    assert "is below the optimum 426" in capsys.readouterr().err
    assert json.loads(results.read_text())[0]["gap_pct"] is None


def test_lkh_on_two_nodes_is_solved_trivially():
    from ncorouting.instance import Instance

    inst = Instance("cvrp", np.array([[0, 1.0], [1, 0]]), demands=np.array([0, 1.0]), capacity=1)
    sol = get_solver("lkh").solve(inst)
    assert sol.feasible and sol.routes == [[1]] and math.isclose(sol.cost, 2.0)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["experiment=nope"], "unknown experiment 'nope'; known: "),
        (["experiment=tsp20_pomo", "trainer.nokey=1"], "Could not override 'trainer.nokey'"),
        (["experiment=tsp20_pomo", "resume=last", "output_dir={tmp}/fresh"], "resume=last: no checkpoint at"),
    ],
)
def test_training_errors(tmp_path, capsys, overrides, message):
    code = main(["train", *[o.format(tmp=tmp_path) for o in overrides]])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "fresh").exists()
