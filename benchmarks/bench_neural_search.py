"""Shipped POMO (and SymNCO) policies at their sizes: greedy, x8 augmentation, and test-time search (sampling,
EAS) under time limits, beside LKH-3 / HGS / OR-Tools at several time limits, on the same generated
instances, in one process. One gap-vs-time plot per problem size, every solution checked.

    python benchmarks/bench_neural_search.py [--cases tsp50,tsp100,cvrp50,cvrp100] [--models pomo,symnco]
        [--num-instances 1000] [--search-instances 20] [--limits 1,10] [--classical-limits 1,5]
        [--searches sample,eas] [--temperatures 0.3] [--threads 1] [--workers 1] [--out docs/bench/search]

x8 runs on all `--num-instances`; search and classical solvers on the first `--search-instances`;
gaps are per instance to the reference (LKH-3 for TSP, HGS for CVRP, at `--reference-limit` seconds).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import torch

from ncorouting.bench import SolverSpec, run_bench, split_case
from ncorouting.evaluation import eval_neural
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.models.inference import NeuralSolver
from ncorouting.report import format_table

REFERENCE = {"tsp": "lkh", "cvrp": "hgs"}
COLUMNS = ["case", "solver", "instances", "feasible", "mean_cost", "gap_pct", "s_per_inst"]


def specs_for(
    problem: str,
    models: list[str],
    searches: list[str],
    limits: list[float],
    classical_limits: list[float],
    temperatures: list[float],
) -> list[SolverSpec]:
    """The solvers compared on the search subset: each model's variants (searches at each limit and sampling
    temperature), then classical ones at each limit."""
    specs = []
    for model in models:
        specs += [SolverSpec(model, options=(("num_augment", 1),)), SolverSpec(model)]
        specs += [
            SolverSpec(model, t, options=(("search", s), ("temperature", temp)))
            for s in searches
            for temp in temperatures
            for t in limits
        ]
    classical = ["lkh", "ortools"] if problem == "tsp" else ["hgs", "lkh", "ortools"]
    specs += [SolverSpec(name, t) for name in classical for t in classical_limits]
    return specs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="tsp50,tsp100,cvrp50,cvrp100")
    parser.add_argument("--models", default="pomo", help="shipped neural models, e.g. pomo,symnco")
    parser.add_argument("--num-instances", type=int, default=1000)
    parser.add_argument("--search-instances", type=int, default=20)
    parser.add_argument("--limits", default="1,10", help="search seconds per instance")
    parser.add_argument("--classical-limits", default="1,5", help='"" for no classical rows but the reference')
    parser.add_argument("--searches", default="sample,eas", help="test-time searches to run, e.g. eas")
    parser.add_argument("--temperatures", default="0.3", help="sampling temperatures of the searches, e.g. 0.3,1")
    parser.add_argument("--reference-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="processes for the classical solvers")
    parser.add_argument("--out", default="docs/bench/search")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    limits = [float(t) for t in args.limits.split(",")]
    classical_limits = [float(t) for t in args.classical_limits.split(",") if t]
    models = args.models.split(",")
    searches = args.searches.split(",")
    temperatures = [float(t) for t in args.temperatures.split(",")]

    rows = []
    for case in args.cases.split(","):
        problem, size = split_case(case)
        td = generate_dataset(problem, args.num_instances, size, seed=args.seed)
        for model in models:
            x8 = eval_neural(NeuralSolver(model), problem, td, size, name=case)
            rows.append({"case": case, **x8.row(label=f"{model} x8 (all {args.num_instances}, no reference)")})
        instances = instances_from_batch(problem, td[: args.search_instances], name=case)
        reference = SolverSpec(REFERENCE[problem], args.reference_limit)
        specs = specs_for(problem, models, searches, limits, classical_limits, temperatures)
        summary, _, ref_name = run_bench(instances, specs, reference, args.workers, out=Path(args.out) / case)
        rows += [{"case": case, **row} for row in summary]
        print(format_table(rows, COLUMNS), flush=True)
    header = (
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {torch.get_num_threads()} torch thread(s); gap_pct: "
        f"mean per-instance gap to {', '.join(f'{v} (problem {k})' for k, v in REFERENCE.items())} at "
        f"{args.reference_limit:g} s on the first {args.search_instances} instances"
    )
    print("\n" + header + "\n" + format_table(rows, COLUMNS))
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "summary.md").write_text(f"{header}\n\n```\n{format_table(rows, COLUMNS)}\n```\n")


if __name__ == "__main__":
    main()
