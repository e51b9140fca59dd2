"""`ncorouting eval`: a neural policy on a generated (or saved) test set against a reference solver."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ncorouting.cli.common import add_generated_set_args
from ncorouting.registry import get_problem
from ncorouting.report import format_table
from ncorouting.solvers import get_solver


def run(args: argparse.Namespace) -> int:
    """Evaluate a neural policy on a generated (or saved) test set against a reference solver."""
    from ncorouting.evaluation import eval_neural, eval_solver
    from ncorouting.io.datasets import generate_dataset, load_dataset
    from ncorouting.models.inference import NeuralSolver

    if args.dataset:
        problem, td = load_dataset(args.dataset)
    else:
        problem = get_problem(args.problem).name
        td = generate_dataset(problem, args.num_instances, args.size, seed=args.seed)
    num_loc = td["locs"].shape[1]
    solver = NeuralSolver(
        model=args.solver,
        checkpoint=args.checkpoint,
        num_augment=args.num_augment,
        batch_size=args.batch_size,
        allow_other_size=args.allow_other_size,
        device=args.device,
    )
    neural = eval_neural(solver, problem, td, num_loc)
    rows = [neural.row()]
    if args.reference and args.reference_instances > 0:
        ref = eval_solver(get_solver(args.reference), problem, td[: args.reference_instances], args.time_limit)
        rows = [neural.row(ref), ref.row(ref, label=f"{args.reference} ({args.time_limit:g} s)")]
        print(f"gap to {args.reference} measured on the first {len(ref.solutions)} instances")
    print(format_table(rows, ["solver", "instances", "mean_cost", "gap_pct", "feasible", "s_per_inst", "inst_per_s"]))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate a policy on a generated test set against a reference solver")
    add_generated_set_args(p, "tsp", 20, 1000, 1234)
    p.add_argument("--dataset", default=None, help=".npz test set instead of generating one")
    p.add_argument("--solver", default="pomo", choices=["pomo", "am"])
    p.add_argument("--checkpoint", default=None)
    p.add_argument("--num-augment", type=int, default=None)
    p.add_argument("--device", default="cpu", help="torch device, e.g. cuda")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--allow-other-size", action="store_true", help="use a checkpoint trained on another size")
    p.add_argument("--reference", default="ortools", help="reference solver ('' for none)")
    p.add_argument("--reference-instances", type=int, default=100)
    p.add_argument("--time-limit", type=float, default=1.0, help="reference seconds per instance")
    p.add_argument("--json", default=None, help="also write the table as JSON")
    p.set_defaults(func=run)
