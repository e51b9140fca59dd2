"""`ncorouting solve`: solve a file or a folder of files, print the table, write solutions and plots."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ncorouting.cli.common import instance_paths
from ncorouting.errors import InputError
from ncorouting.io import read_instance, write_solution
from ncorouting.registry import get_problem
from ncorouting.report import format_table
from ncorouting.solvers import SOLVERS, get_solver

SOLVE_COLUMNS = ["instance", "solver", "cost", "feasible", "routes", "time_s", "optimum", "gap_pct"]


def _solver_options(args: argparse.Namespace) -> dict:
    if args.solver in ("pomo", "am"):
        return {"checkpoint": args.checkpoint, "num_augment": args.num_augment, "device": args.device}
    if args.checkpoint:
        raise InputError(f"--checkpoint applies to neural solvers, not '{args.solver}'")
    return {}


def run(args: argparse.Namespace) -> int:
    """Solve files; print the table; write solution files and plots (only for feasible solutions)."""
    instances = [read_instance(p) for p in instance_paths(Path(args.path))]  # all validated before any output
    solver = get_solver(args.solver, **_solver_options(args))
    solutions = solver.solve_many(instances, time_limit=args.time_limit, seed=args.seed)
    print(format_table([s.summary() for s in solutions], SOLVE_COLUMNS))
    out = Path(args.out)
    status = 0
    for sol in solutions:
        if not sol.feasible:
            print(f"{sol.instance.name}: INFEASIBLE ({sol.reason}); no solution file written", file=sys.stderr)
            status = 1
            continue
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"{sol.instance.name}.{sol.solver}"
        written = [write_solution(stem.with_name(stem.name + get_problem(sol.instance.problem).solution_suffix), sol)]
        if sol.instance.coords is not None and not args.no_plot:
            png = stem.with_name(stem.name + ".png")
            sol.plot(path=png)
            written.append(png)
        print("wrote " + ", ".join(str(p) for p in written))
    return status


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("solve", help="solve a TSPLIB/CVRPLIB/JSON file or a folder of them")
    p.add_argument("path")
    p.add_argument("--solver", default="pomo", choices=sorted(SOLVERS))
    p.add_argument("--checkpoint", default=None, help="policy file (.pt or Lightning .ckpt); default: shipped")
    p.add_argument("--num-augment", type=int, default=None, help="x8 dihedral augmentation for POMO by default")
    p.add_argument("--device", default="cpu", help="torch device for neural solvers, e.g. cuda")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance (classical solvers)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="solutions", help="folder for solution files and plots")
    p.add_argument("--no-plot", action="store_true")
    p.set_defaults(func=run)
