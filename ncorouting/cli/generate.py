"""`ncorouting generate`: generated instances as a `.npz` batch or one file per instance."""

from __future__ import annotations

import argparse
from pathlib import Path

from ncorouting.cli.common import add_fleet_args, add_generated_set_args, fleet_generator_params, positive_number
from ncorouting.errors import InputError
from ncorouting.instance import PROFILED_PROBLEMS
from ncorouting.registry import get_problem


def run(args: argparse.Namespace) -> int:
    """Generate instances: a `.npz` batch, or one file per instance (`.tsp`/`.vrp`/`.json`)."""
    from ncorouting.io.datasets import generate_dataset, instances_from_batch, save_dataset
    from ncorouting.io.writers import write_instance

    problem = get_problem(args.problem).name
    fmt = args.format or ("json" if problem in PROFILED_PROBLEMS else "vrplib")
    if problem in PROFILED_PROBLEMS and fmt != "json":
        raise InputError(f"{problem} instances are written as JSON (--format json)")
    td = generate_dataset(
        problem, args.num_instances, args.size, seed=args.seed, **fleet_generator_params(args, problem)
    )
    out = Path(args.out)
    if out.suffix == ".npz":
        out.parent.mkdir(parents=True, exist_ok=True)
        save_dataset(out, problem, td)
        print(f"wrote {args.num_instances} {problem}{args.size} instances to {out}")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    prefix = args.name or f"{problem}{args.size}-s{args.seed}"
    for inst in instances_from_batch(problem, td, name=prefix):
        if args.num_instances == 1:
            inst.name = prefix
        print(f"wrote {write_instance(out, inst, fmt, scale=args.scale)}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="generate instances (.npz batch or instance files)")
    add_generated_set_args(p, "tsp", 20, 1000, 0)
    p.add_argument("--out", required=True, help="a .npz file, or a folder for instance files")
    p.add_argument(
        "--format", default=None, choices=["vrplib", "json"], help="instance file format (default: json for PVRP)"
    )
    add_fleet_args(p)
    p.add_argument("--scale", type=positive_number, default=1000.0, help="coordinate scale for integer (EUC_2D) files")
    p.add_argument("--name", default=None, help="instance name (prefix when several)")
    p.set_defaults(func=run)
