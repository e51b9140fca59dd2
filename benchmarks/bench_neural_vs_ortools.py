"""Shipped POMO (greedy multi-start, and best of x8 augmentations) vs OR-Tools on the same generated
instances, in one process: mean cost, gap to OR-Tools, seconds per instance, instances per second.

    python benchmarks/bench_neural_vs_ortools.py [--num-instances 1000] [--ortools-instances 100]
        [--cases tsp20,tsp50,cvrp20,cvrp50]
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import torch

from ncorouting.bench import split_case
from ncorouting.evaluation import eval_neural, eval_solver
from ncorouting.io.datasets import generate_dataset
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.inference import NeuralSolver, shipped_checkpoint
from ncorouting.report import format_table
from ncorouting.solvers import get_solver

COLUMNS = [
    "problem",
    "solver",
    "instances",
    "mean_cost",
    "gap_pct",
    "feasible_pct",
    "s_per_inst",
    "inst_per_s",
    "speedup",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="tsp20,tsp50,cvrp20,cvrp50", help="problem and size, e.g. tsp100")
    parser.add_argument("--num-instances", type=int, default=1000)
    parser.add_argument("--ortools-instances", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=None, help="also write the table as Markdown here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rows = []
    for case in args.cases.split(","):
        problem, size = split_case(case)
        td = generate_dataset(problem, args.num_instances, size, seed=args.seed)
        ortools = eval_solver(get_solver("ortools"), problem, td[: args.ortools_instances], args.time_limit)
        ref_speed = ortools.per_second
        trained = load_policy(shipped_checkpoint("pomo", problem, size))[1]["num_loc"]
        label = "" if trained == size else f", trained n={trained}"
        for augment, name in [(1, f"pomo greedy{label}"), (8, f"pomo x8 aug{label}")]:
            solver = NeuralSolver("pomo", num_augment=augment, batch_size=100)
            neural = eval_neural(solver, problem, td, size)
            row = neural.head(args.ortools_instances).row(ortools, label=name)
            row.update(
                instances=len(neural.solutions),
                mean_cost=neural.mean_cost,
                feasible_pct=100 * neural.feasible_share,
                s_per_inst=neural.seconds / len(neural.solutions),
                inst_per_s=neural.per_second,
                speedup=neural.per_second / ref_speed,
            )
            rows.append({"problem": f"{problem}{size}", **row})
            print(format_table(rows[-1:], COLUMNS), flush=True)
        rows.append(
            {
                "problem": f"{problem}{size}",
                **ortools.row(ortools, label=f"ortools {args.time_limit:g} s GLS"),
                "speedup": 1.0,
            }
        )
    table = format_table(rows, COLUMNS)
    header = (
        f"{time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} torch threads; gap_pct = mean per-instance gap to OR-Tools on the first "
        f"{args.ortools_instances} instances; mean_cost over all {args.num_instances}"
    )
    print("\n" + header + "\n" + table)
    if args.out:
        Path(args.out).write_text(f"{header}\n\n```\n{table}\n```\n")


if __name__ == "__main__":
    main()
