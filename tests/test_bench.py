"""`ncorouting bench`: specs, references, infeasible results never averaged, parallel workers."""

import math

import pytest
from helpers import small_cvrp

from ncorouting import solvers
from ncorouting.bench import SolverSpec, parse_solver_spec, run_bench
from ncorouting.cli import main
from ncorouting.errors import InputError
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.solvers import Solver


class DropsLastClient(Solver):
    """A broken solver for the test: one route that misses the last client."""

    name = "broken"
    problems = ("cvrp",)

    def _solve(self, instance, time_limit, seed):
        return [list(range(1, instance.num_nodes - 1))], None


def test_parse_specs():
    assert parse_solver_spec("hgs:5") == SolverSpec("hgs", 5.0)
    assert parse_solver_spec("pomo@x/p.pt") == SolverSpec("pomo", None, "x/p.pt")
    assert parse_solver_spec("ortools:0.5").label == "ortools 0.5s"
    with pytest.raises(InputError, match="bad solver spec 'gurobi:5'"):
        parse_solver_spec("gurobi:5")
    with pytest.raises(InputError, match="only neural solvers take a checkpoint"):
        parse_solver_spec("hgs@x.pt")


def test_spec_options_reach_the_solver():
    spec = parse_solver_spec("lkh:120+runs=10+max_trials=500")
    assert spec.time_limit == 120 and spec.options == (("runs", 10), ("max_trials", 500))
    assert spec.label == "lkh 120s runs=10 max_trials=500"
    solver = solvers.get_solver(spec.name, **spec.solver_options())
    assert (solver.runs, solver.max_trials) == (10, 500)
    with pytest.raises(InputError, match=r"solver 'hgs' does not take the option\(s\) \['runs'\]"):
        solvers.get_solver("hgs", runs=3)


def test_infeasible_counted_not_averaged(monkeypatch, tmp_path):
    monkeypatch.setitem(solvers.SOLVERS, "broken", lambda **_: DropsLastClient())
    instances = instances_from_batch("cvrp", generate_dataset("cvrp", 3, 10, seed=0))
    summary, detail, ref = run_bench(instances, [SolverSpec("broken"), SolverSpec("hgs", 0.2)], out=tmp_path)
    rows = {r["solver"]: r for r in summary}
    assert ref == "best found in this run"
    assert rows["broken"]["feasible"] == "0/3"
    assert math.isnan(rows["broken"]["mean_cost"]) and math.isnan(rows["broken"]["gap_pct"])
    assert rows["hgs 0.2s"]["feasible"] == "3/3" and rows["hgs 0.2s"]["gap_pct"] == 0
    assert all(r["cost"] is None for r in detail if r["solver"] == "broken")
    assert "never visited" in detail[0]["reason"]
    assert (tmp_path / "gap_vs_time.png").is_file() and (tmp_path / "summary.csv").is_file()


def test_known_optimum_is_the_default_reference():
    inst = small_cvrp()
    inst.known_optimum = 8.0
    summary, _, ref = run_bench([inst], [SolverSpec("ortools", 0.2)])
    assert ref == "known optimum" and summary[0]["gap_pct"] == pytest.approx(0.0)


def test_parallel_workers_keep_order_and_results():
    """Two worker processes return the same solutions, in input order, as one by one."""
    instances = instances_from_batch("cvrp", generate_dataset("cvrp", 6, 20, seed=2))
    solver = solvers.get_solver("ortools", solution_limit=30)  # stops on a solution count: deterministic
    serial = solver.solve_many(instances, time_limit=30, workers=1)
    parallel = solver.solve_many(instances, time_limit=30, workers=2, progress=True)
    assert [s.instance.name for s in parallel] == [inst.name for inst in instances]
    assert [s.routes for s in parallel] == [s.routes for s in serial]
    assert all(s.feasible for s in parallel)


def test_bench_cli_on_files(bench_dir, tmp_path, capsys):
    code = main(
        [
            "bench",
            str(bench_dir / "atsp"),
            "--solvers",
            "lkh:2,ortools:1",
            "--per-instance",
            "--workers",
            "2",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "gap to known optimum" in out and "br17" in out and "ry48p" in out
