"""`ncorouting solve`: solve a file or a folder of files, print the table, write solutions and plots."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ncorouting.cli.common import instance_paths
from ncorouting.errors import InputError
from ncorouting.io import read_instance, write_solution
from ncorouting.registry import get_problem
from ncorouting.report import format_table
from ncorouting.solvers import SOLVERS, get_solver

SOLVE_COLUMNS = ["instance", "solver", "cost", "feasible", "routes", "time_s", "optimum", "gap_pct"]


@dataclass(frozen=True)
class SolverFlag:
    """A `solve` flag that becomes a constructor option of the solvers that take it; given for another
    solver, it is refused rather than ignored. Flags default to None, meaning "the solver's default"."""

    flag: str
    solvers: tuple[str, ...]
    argparse_kwargs: dict = field(default_factory=dict)

    @property
    def option(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


#: Solver-specific flags of `solve`; a new solver with options adds its flags here.
SOLVER_FLAGS = [
    SolverFlag("--checkpoint", ("pomo", "am"), {"help": "policy file (.pt or Lightning .ckpt); default: shipped"}),
    SolverFlag("--num-augment", ("pomo", "am"), {"type": int, "help": "x8 dihedral augmentation for POMO by default"}),
    SolverFlag("--device", ("pomo", "am"), {"help": "torch device for neural solvers, e.g. cuda (default: cpu)"}),
]


def _solver_options(args: argparse.Namespace) -> dict:
    options = {}
    for flag in SOLVER_FLAGS:
        value = getattr(args, flag.option)
        if value is None:
            continue
        if args.solver not in flag.solvers:
            raise InputError(f"{flag.flag} applies to solver(s) {', '.join(flag.solvers)}, not '{args.solver}'")
        options[flag.option] = value
    return options


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
    for flag in SOLVER_FLAGS:
        p.add_argument(flag.flag, default=None, **flag.argparse_kwargs)
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance (classical solvers)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="solutions", help="folder for solution files and plots")
    p.add_argument("--no-plot", action="store_true")
    p.set_defaults(func=run)
