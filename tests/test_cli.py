"""Command line: solve files and folders, eval on a generated set, demo; `python -m ncorouting` too."""

import json
import subprocess
import sys

import pytest

from ncorouting.cli import main
from ncorouting.io.vrplib_files import read_tour, read_vrplib_solution
from ncorouting.resources import demo_instances

DEMO_INSTANCES = demo_instances()


def test_solve_with_shipped_pomo_writes_solution_and_plot(tmp_path, capsys):
    assert main(["solve", str(DEMO_INSTANCES[1]), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "cvrp20_demo  pomo" in out and "yes" in out
    routes = read_vrplib_solution(tmp_path / "cvrp20_demo.pomo.sol")
    assert sorted(v for r in routes for v in r) == list(range(1, 21))
    assert (tmp_path / "cvrp20_demo.pomo.png").stat().st_size > 10_000


def test_solve_folder_with_ortools(tmp_path, capsys):
    folder = DEMO_INSTANCES[0].parent
    assert main(["solve", str(folder), "--solver", "ortools", "--time-limit", "0.5", "--out", str(tmp_path)]) == 0
    assert sorted(read_tour(tmp_path / "tsp20_demo.ortools.tour")) == list(range(20))
    assert (tmp_path / "cvrp20_demo.ortools.sol").is_file()


@pytest.mark.slow
def test_solve_tsplib_reports_gap(bench_dir, tmp_path, capsys):
    assert main(["solve", str(bench_dir / "tsplib" / "eil51.tsp"), "--solver", "pomo", "--out", str(tmp_path)]) == 0
    line = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("eil51")][0]
    optimum, gap = line.split()[-2:]
    assert optimum == "426.0" and 0 <= float(gap) < 15


def test_eval_compares_like_with_like_and_writes_numbers(tmp_path, capsys):
    """The neural mean is shown on all instances and on the reference's own; JSON holds numbers."""
    json_path = tmp_path / "eval.json"
    args = ["eval", "--problem", "tsp", "--size", "20", "--num-instances", "20", "--reference-instances", "3"]
    assert main([*args, "--time-limit", "0.2", "--json", str(json_path)]) == 0
    out = capsys.readouterr().out
    assert "gap to ortools measured on the first 3 instances" in out
    rows = json.loads(json_path.read_text())
    assert [r["solver"] for r in rows] == ["pomo (all 20)", "pomo (first 3)", "ortools 0.2s (first 3)"]
    assert [r["instances"] for r in rows] == [20, 3, 3]
    for row in rows:
        assert isinstance(row["mean_cost"], float) and row["feasible_pct"] == 100.0
    assert isinstance(rows[1]["gap_pct"], float) and rows[0]["gap_pct"] is None


def test_module_entry_point_and_help():
    proc = subprocess.run([sys.executable, "-m", "ncorouting", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for command in ("solve", "eval", "train", "generate", "demo"):
        assert command in proc.stdout


@pytest.mark.slow
def test_demo(tmp_path, capsys):
    assert main(["demo", "--time-limit", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "tsp20_demo" in out and "cvrp20_demo" in out and "ortools" in out and "pomo" in out
    assert (tmp_path / "demo.png").stat().st_size > 20_000
