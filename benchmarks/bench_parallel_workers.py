"""Parallel solving: wall time of one batch solved one by one, then over N worker processes, in one
process so the ratio holds on a noisy machine. Solvers stop on a work budget (OR-Tools on a solution
count, LKH-3 on a trial count), not on wall time, so the speed-up measures real parallel work.

    python benchmarks/bench_parallel_workers.py [--num-instances 100] [--size 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import time

from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.report import format_table
from ncorouting.solvers import get_solver

#: Work-bounded solver settings: deterministic, and each instance costs a fixed amount of CPU.
SOLVERS = {"ortools": {"solution_limit": 200}, "lkh": {"max_trials": 200}}
#: Only a safety net: the work budget above ends every solve well before this.
TIME_LIMIT = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-instances", type=int, default=100)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()

    instances = instances_from_batch("cvrp", generate_dataset("cvrp", args.num_instances, args.size, seed=args.seed))
    rows = []
    for name, options in SOLVERS.items():
        solver = get_solver(name, **options)
        walls, costs = {}, {}
        for workers in (1, args.workers):
            start = time.perf_counter()
            solutions = solver.solve_many(instances, TIME_LIMIT, workers=workers, progress=True)
            walls[workers] = time.perf_counter() - start
            costs[workers] = sum(s.cost for s in solutions) / len(solutions)
        rows.append(
            {
                "solver": f"{name} {options}",
                "instances": len(instances),
                "wall_1_worker_s": walls[1],
                f"wall_{args.workers}_workers_s": walls[args.workers],
                "speedup": walls[1] / walls[args.workers],
                "same_mean_cost": abs(costs[1] - costs[args.workers]) < 1e-9,
            }
        )
    print(f"\nCVRP{args.size}, {len(instances)} instances, {os.cpu_count()} cores")
    print(format_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
