"""`ncorouting bench`: several solvers on the same files or generated instances."""

from __future__ import annotations

import argparse
from pathlib import Path

from ncorouting.cli.common import add_fleet_args, add_generated_set_args, fleet_generator_params, instance_paths
from ncorouting.io import read_instance
from ncorouting.registry import get_problem
from ncorouting.report import format_table


def run(args: argparse.Namespace) -> int:
    """Several solvers on the same files or generated instances: one table, CSVs, gap-vs-time plot."""
    from ncorouting.bench import parse_solver_spec, run_bench
    from ncorouting.io.datasets import generate_dataset, instances_from_batch

    specs = [parse_solver_spec(text) for text in args.solvers.split(",") if text.strip()]
    reference = parse_solver_spec(args.reference) if args.reference else None
    if args.path:
        instances = [read_instance(p) for p in instance_paths(Path(args.path))]
    else:
        problem = get_problem(args.problem).name
        params = fleet_generator_params(args, problem)
        td = generate_dataset(problem, args.num_instances, args.size, seed=args.seed, **params)
        instances = instances_from_batch(problem, td, name=f"{problem}{args.size}-s{args.seed}")
    out = Path(args.out)
    summary, detail, ref_name = run_bench(instances, specs, reference, workers=args.workers, seed=args.seed, out=out)
    if args.per_instance:
        print(format_table(detail, ["instance", "solver", "cost", "feasible", "reference", "gap_pct", "time_s"]))
    print(f"\n{len(instances)} instances; gap to {ref_name}; workers={args.workers}")
    print(format_table(summary, ["solver", "instances", "feasible", "mean_cost", "gap_pct", "s_per_inst"]))
    print(f"wrote {out / 'summary.csv'}, {out / 'instances.csv'}, {out / 'gap_vs_time.png'}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="compare solvers on the same files or generated instances")
    p.add_argument("path", nargs="?", default=None, help="instance file or folder; else generated instances")
    p.add_argument(
        "--solvers",
        default="ortools:1,hgs:1,lkh:1",
        help="solvers to compare: NAME[:SECONDS][+OPTION=VALUE...][@CHECKPOINT],...",
    )
    p.add_argument("--reference", default=None, help="solver spec for gaps (default: known optimum or best found)")
    add_generated_set_args(p, "cvrp", 50, 100, 1234)
    add_fleet_args(p)
    p.add_argument("--workers", type=int, default=0, help="parallel processes for classical solvers (0: all cores)")
    p.add_argument("--per-instance", action="store_true", help="also print one row per instance and solver")
    p.add_argument("--out", default="bench_output", help="folder for summary.csv, instances.csv, gap_vs_time.png")
    p.set_defaults(func=run)
