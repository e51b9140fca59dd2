"""`ncorouting solve`: solve a file or a folder of files, print the table, write solutions and plots.

Output files are named after each input file's own stem (made safe), never after a name read from
inside a file, and every output goes under `--out`.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ncorouting.cli.common import instance_paths, output_stem, positive_int, positive_number
from ncorouting.errors import InputError
from ncorouting.io import read_instance, write_solution
from ncorouting.registry import get_problem
from ncorouting.report import format_table
from ncorouting.solution import Solution
from ncorouting.solvers import NEURAL, SEARCH_MODELS, SOLVERS, get_solver

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
    SolverFlag(
        "--checkpoint",
        NEURAL,
        {"help": "policy file (.pt or Lightning .ckpt); default: shipped"},
    ),
    SolverFlag(
        "--num-augment",
        (*SEARCH_MODELS, "camp", "seq_am", "rrnco"),
        {"type": int, "choices": [1, 8], "help": "dihedral augmentations (default: 8 for POMO and RRNCO, 1 for AM)"},
    ),
    SolverFlag(
        "--device",
        NEURAL,
        {"help": "torch device for neural solvers, e.g. cuda (default: cpu)"},
    ),
    SolverFlag(
        "--search",
        SEARCH_MODELS,
        {
            "choices": ["sample", "eas"],
            "help": "improve the greedy answer until --time-limit: sampling or Efficient Active Search (default: none)",
        },
    ),
    SolverFlag(
        "--temperature",
        SEARCH_MODELS,
        {
            "type": positive_number,
            "help": "softmax temperature of --search's sampling (default: 0.3; 1.0 samples the policy as trained)",
        },
    ),
    SolverFlag("--beam", ("bq",), {"type": positive_int, "help": "BQ beam width (default: 1, greedy)"}),
    SolverFlag(
        "--knn",
        ("bq",),
        {"type": int, "help": "BQ: encode only the K nodes nearest the current one (default: 20; 0: all nodes)"},
    ),
    SolverFlag("--ants", ("deepaco", "gfacs"), {"type": positive_int, "help": "ants per iteration (default: 20)"}),
    SolverFlag(
        "--local-search",
        ("deepaco", "gfacs"),
        {"choices": ["on", "off"], "help": "2-opt (TSP) / PyVRP moves (CVRP) on every ant's tour (default: on)"},
    ),
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


def _planned_outputs(paths: list[Path], out: Path) -> dict[Path, str]:
    """Each input's output stem; refuses, before any solving, an `--out` that is a file and two inputs
    that would write the same outputs."""
    if out.exists() and not out.is_dir():
        raise InputError("--out names an existing file; give a folder for solutions and plots", source=str(out))
    stems: dict[str, Path] = {}
    for path in paths:
        stem = output_stem(path)
        if stem in stems:
            raise InputError(f"{stems[stem]} and {path} would write the same output files '{stem}.*'; rename one")
        stems[stem] = path
    return {path: stem for stem, path in stems.items()}


def _write_outputs(sol: Solution, out: Path, stem: str, plot: bool) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    base = out / f"{stem}.{sol.solver}"
    written = [write_solution(base.with_name(base.name + get_problem(sol.instance.problem).solution_suffix), sol)]
    if sol.instance.coords is not None and plot:
        png = base.with_name(base.name + ".png")
        sol.plot(path=png)
        written.append(png)
    return written


def _record(sol: Solution, path: Path, outputs: list[Path]) -> dict:
    """One machine-readable result: the summary plus routes, vehicles, notes and files written."""
    summary = sol.summary()
    return {
        **summary,
        "file": str(path),
        "routes": sol.routes,
        "num_routes": summary["routes"],
        "vehicles": sol.vehicles,
        "notes": sol.notes,
        "outputs": [str(p) for p in outputs],
    }


def _save_records(records: list[dict], json_path: str | None, csv_path: str | None) -> None:
    if json_path:
        Path(json_path).write_text(json.dumps(records, indent=1))
    if csv_path:
        with open(csv_path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows({k: json.dumps(v) if isinstance(v, list) else v for k, v in r.items()} for r in records)


def run(args: argparse.Namespace) -> int:
    """Solve files; print the table; write solution files and plots (only for feasible solutions)."""
    paths = instance_paths(Path(args.path))
    out = Path(args.out)
    stems = _planned_outputs(paths, out)
    instances = [read_instance(p) for p in paths]  # all validated before any solving or output
    solver = get_solver(args.solver, **_solver_options(args))
    solutions = solver.solve_many(instances, time_limit=args.time_limit, seed=args.seed)
    if not args.quiet:
        terms = list(dict.fromkeys(k for s in solutions for k in (s.terms or {})))  # e.g. PVRP's two objective terms
        print(format_table([s.summary() for s in solutions], SOLVE_COLUMNS + terms))
    status, records = 0, []
    for path, sol in zip(paths, solutions, strict=True):
        for note in sol.notes:
            print(f"note: {sol.instance.name}: {note}", file=sys.stderr)
        if sol.optimum_conflict:
            print(
                f"warning: {sol.instance.name}: cost {sol.cost:g} is below the optimum {sol.instance.known_optimum:g} "
                f"that {sol.instance.optimum_source} lists for '{sol.instance.name}': this file is not that "
                "published instance, so no gap is reported",
                file=sys.stderr,
            )
        written: list[Path] = []
        if sol.feasible:
            written = _write_outputs(sol, out, stems[path], plot=not args.no_plot)
            if not args.quiet:
                print("wrote " + ", ".join(str(p) for p in written))
        else:
            print(f"{sol.instance.name}: INFEASIBLE ({sol.reason}); no solution file written", file=sys.stderr)
            status = 1
        records.append(_record(sol, path, written))
    _save_records(records, args.json, args.csv)
    return status


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("solve", help="solve a TSPLIB/CVRPLIB/JSON file or a folder of them", description=__doc__)
    p.add_argument("path", help="an instance file (.tsp, .atsp, .vrp, .json) or a folder of them")
    p.add_argument("--solver", default="pomo", choices=sorted(SOLVERS), help="solver to run")
    for flag in SOLVER_FLAGS:
        p.add_argument(flag.flag, default=None, **flag.argparse_kwargs)
    p.add_argument(
        "--time-limit",
        type=positive_number,
        default=10.0,
        help="seconds per instance (classical solvers, neural solvers with --search or ant colonies)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the solver")
    p.add_argument("--out", default="solutions", help="folder for solution files and plots")
    p.add_argument("--no-plot", action="store_true", help="write no PNG per instance")
    p.add_argument("--json", default=None, metavar="FILE", help="also write every result as JSON to FILE")
    p.add_argument("--csv", default=None, metavar="FILE", help="also write every result as CSV to FILE")
    p.add_argument("--quiet", action="store_true", help="print no table and no list of files written")
    p.set_defaults(func=run)
