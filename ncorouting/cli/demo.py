"""`ncorouting demo`: the shipped demo instances solved by shipped POMO and by OR-Tools."""

from __future__ import annotations

import argparse
from pathlib import Path

from ncorouting.cli.common import positive_number
from ncorouting.io import read_instance
from ncorouting.report import format_table
from ncorouting.resources import demo_instances
from ncorouting.solvers import get_solver


def run(args: argparse.Namespace) -> int:
    """Solve the shipped demo instances with shipped POMO and with OR-Tools; table and plot."""
    import matplotlib.pyplot as plt

    instances = [read_instance(p) for p in demo_instances()]
    solvers = [get_solver("pomo"), get_solver("ortools")]
    solutions = [[solver.solve(inst, time_limit=args.time_limit) for solver in solvers] for inst in instances]
    rows = [s.summary() for row in solutions for s in row]
    best = {inst.name: min(s.cost for s in row if s.feasible) for inst, row in zip(instances, solutions, strict=True)}
    for r in rows:
        r["gap_to_best_pct"] = 100 * (r["cost"] - best[r["instance"]]) / best[r["instance"]]
    print(format_table(rows, ["instance", "solver", "cost", "feasible", "routes", "time_s", "gap_to_best_pct"]))
    fig, axes = plt.subplots(len(instances), len(solvers), figsize=(5 * len(solvers), 5 * len(instances)))
    for i, row in enumerate(solutions):
        for j, sol in enumerate(row):
            sol.plot(ax=axes[i][j])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "demo.png", dpi=100, bbox_inches="tight")
    print(f"saved plot to {out / 'demo.png'}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="solve the shipped demo instances with POMO and OR-Tools")
    p.add_argument("--time-limit", type=positive_number, default=2.0, help="OR-Tools seconds per instance")
    p.add_argument("--out", default="demo_output", help="folder for demo.png")
    p.set_defaults(func=run)
