"""`ncorouting eval`: a neural policy on a generated (or saved) test set against a reference solver.

The reference solves the first `--reference-instances` instances; the table then shows the policy on
all instances and on those same first instances, so the two mean costs compare like with like.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ncorouting.cli.common import add_generated_set_args, positive_int, positive_number
from ncorouting.registry import get_problem
from ncorouting.report import format_table
from ncorouting.solvers import SEARCH_MODELS, SOLVERS, get_solver

EVAL_COLUMNS = ["solver", "instances", "mean_cost", "gap_pct", "feasible_pct", "s_per_inst", "inst_per_s"]


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
        device=args.device,
        search=args.search,
        temperature=args.temperature,
    )
    neural = eval_neural(solver, problem, td, num_loc, time_limit=args.search_time_limit)
    print(f"note: {solver.policy_note(problem, num_loc)}", file=sys.stderr)
    name = args.solver + (f" {args.search} {args.search_time_limit:g}s" if args.search else "")
    rows = [neural.row(label=f"{name} (all {len(neural.solutions)})")]
    if args.reference and args.reference_instances > 0:
        count = min(args.reference_instances, len(neural.solutions))
        ref = eval_solver(get_solver(args.reference), problem, td[:count], args.time_limit)
        rows.append(neural.head(count).row(ref, label=f"{name} (first {count})"))
        rows.append(ref.row(ref, label=f"{args.reference} {args.time_limit:g}s (first {count})"))
        print(f"gap to {args.reference} measured on the first {count} instances")
    print(format_table(rows, EVAL_COLUMNS))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval", help="evaluate a policy on a generated test set against a reference solver", description=__doc__
    )
    add_generated_set_args(p, "tsp", 20, 1000, 1234)
    p.add_argument("--dataset", default=None, help=".npz test set (from `generate`) instead of generating one")
    p.add_argument("--solver", default="pomo", choices=SEARCH_MODELS, help="neural model to evaluate")
    p.add_argument("--checkpoint", default=None, help="policy file; default: the shipped one nearest in size")
    p.add_argument(
        "--num-augment", type=int, choices=[1, 8], default=None, help="dihedral augmentations (default: model's)"
    )
    p.add_argument("--device", default="cpu", help="torch device, e.g. cuda")
    p.add_argument("--batch-size", type=positive_int, default=100, help="instances decoded together")
    p.add_argument("--search", choices=["sample", "eas"], default=None, help="test-time search after greedy decoding")
    p.add_argument(
        "--search-time-limit", type=positive_number, default=None, help="search seconds per instance (with --search)"
    )
    p.add_argument(
        "--temperature",
        type=positive_number,
        default=None,
        help="softmax temperature of --search's sampling (default: 0.3)",
    )
    p.add_argument("--reference", default="ortools", help=f"reference solver ('' for none), one of {sorted(SOLVERS)}")
    p.add_argument("--reference-instances", type=int, default=100, help="instances the reference solves")
    p.add_argument("--time-limit", type=positive_number, default=1.0, help="reference seconds per instance")
    p.add_argument("--json", default=None, metavar="FILE", help="also write the table as JSON (numbers as numbers)")
    p.set_defaults(func=run)
