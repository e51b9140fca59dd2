"""`ncorouting bq-data`: imitation labels for BQ-NCO, i.e. generated instances solved by LKH-3 (TSP,
CVRP, ATSP) or HGS (CVRP) over parallel workers, cached as one `.npz`. ATSP instances are sampled
from the road matrices of `--cities`. The same arguments give the same instances (from `--seed`); an
existing file for the same arguments is reused, never rebuilt silently.
"""

from __future__ import annotations

import argparse
import time

from ncorouting.cli.common import HelpFormatter, add_generated_set_args, positive_int, positive_number


def run(args: argparse.Namespace) -> int:
    """Build (or reuse) a label file and say where it is and what it holds."""
    from ncorouting.models.bq.labels import LabelRequest, cached_labels

    request = LabelRequest(
        problem=args.problem.lower(),
        size=args.size,
        num_instances=args.num_instances,
        solver=args.solver,
        seed=args.seed,
        time_limit=args.time_limit,
        max_trials=args.max_trials or (args.size if args.solver == "lkh" else None),
        cities=tuple(args.cities or ()),
    )
    start = time.perf_counter()
    labels, path, cached = cached_labels(request, args.out, workers=args.workers, force=args.force)
    how = "reused cached" if cached else f"built in {time.perf_counter() - start:.0f} s:"
    print(f"{how} {len(labels)} {request.problem}{request.size} labels by {request.solver} in {path}")
    print(f"mean expert cost {labels.costs.mean():.4f}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bq-data",
        help="solve generated instances into BQ-NCO imitation labels (.npz)",
        description=__doc__,
        formatter_class=HelpFormatter,
    )
    add_generated_set_args(p, "tsp", 50, 1000, 0)
    p.add_argument("--solver", default="lkh", choices=["lkh", "hgs"], help="expert solver (hgs: CVRP only)")
    p.add_argument("--time-limit", type=positive_number, default=1.0, help="solver seconds per instance")
    p.add_argument(
        "--max-trials",
        type=positive_int,
        default=None,
        help="LKH-3 trials per instance (default: the node count, as LKH's own)",
    )
    p.add_argument(
        "--cities",
        nargs="+",
        default=None,
        help="ATSP: city files (.npz from `realworld build`) or OSM extracts to sample instances from",
    )
    p.add_argument("--workers", type=int, default=0, help="solver processes (0: one per core)")
    p.add_argument("--out", default=None, help="label file (default: runs/bq_labels/<request>.npz)")
    p.add_argument("--force", action="store_true", help="rebuild even if the file exists")
    p.set_defaults(func=run)
