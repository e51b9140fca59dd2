"""Profiled VRP: shipped CAMP (greedy; best of 8 augmentations), the sequential peer, nearest neighbour,
OR-Tools and PyVRP HGS on the same generated instances, in one process. Per solver: mean travel time,
mean preference, mean objective J, gap to HGS, seconds per instance, instances per second.

Neural solvers and nearest neighbour run on all `--num-instances`; the classical solvers on the first
`--classical` (`--classical-large` for n >= 50) of them, and every column but `J (all)` is taken over
that common subset. Gaps in % are per instance, (J - J_HGS) / (J_HGS + alpha * sum_j max_k p[k, j]): for
PVRP-ZC simply relative to HGS; for PVRP-P relative to HGS's travel time plus the preference its clients
lose against their favourite vehicle, since J itself can be near zero or negative.

    python benchmarks/bench_pvrp.py [--num-instances 1000] [--classical 100] [--classical-large 20] \
        [--seq-am pvrp_p=runs/pvrp_p20_seq_am/policy.pt --seq-am pvrp_zc=runs/pvrp_zc20_seq_am/policy.pt]

CAMP is the shipped policy unless `--camp PROBLEM=PATH` names another; the sequential peer has no shipped
policy, so its rows appear only for the problems `--seq-am PROBLEM=PATH` gives a checkpoint for.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np
import torch

from ncorouting.bench import gap_pct
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.report import format_table
from ncorouting.solvers import get_solver

SETS = [  # (problem, preference generator, clients, vehicles)
    ("pvrp_p", "random", 20, 3),
    ("pvrp_p", "angle", 20, 3),
    ("pvrp_p", "cluster", 20, 3),
    ("pvrp_zc", None, 20, 3),
    ("pvrp_p", "random", 50, 5),
    ("pvrp_p", "angle", 50, 5),
    ("pvrp_p", "cluster", 50, 5),
    ("pvrp_zc", None, 50, 5),
]
COLUMNS = ["set", "solver", "instances", "travel_time", "preference", "J", "J (all)", "gap_pct", "s_per_inst",
           "inst_per_s", "x_hgs"]  # fmt: skip


def checkpoints(pairs: list[str], option: str) -> dict[str, str]:
    """`PROBLEM=PATH` arguments as a dict; an error naming the option for a malformed one."""
    found = {}
    for pair in pairs:
        problem, sep, path = pair.partition("=")
        if not sep or problem not in ("pvrp_p", "pvrp_zc") or not Path(path).is_file():
            raise SystemExit(f"error: {option} {pair}: expected pvrp_p=PATH or pvrp_zc=PATH of an existing file")
        found[problem] = path
    return found


def solver_runs(args: argparse.Namespace, problem: str, large: bool) -> list[tuple[str, str, dict, float | None, bool]]:
    """(label, registry name, options, time limit, classical?) of every solver benchmarked."""
    hgs_time = args.hgs_time_large if large else args.hgs_time
    camp = {"checkpoint": args.camp[problem]} if problem in args.camp else {}
    runs = [("camp greedy", "camp", {"num_augment": 1, **camp}, None, False)]
    runs += [("camp x8", "camp", {"num_augment": 8, **camp}, None, False)]
    if problem in args.seq_am:
        seq = {"checkpoint": args.seq_am[problem]}
        runs += [("seq_am greedy", "seq_am", {"num_augment": 1, **seq}, None, False)]
        runs += [("seq_am x8", "seq_am", {"num_augment": 8, **seq}, None, False)]
    return runs + [
        ("nearest", "nearest", {}, None, False),
        (f"ortools {hgs_time:g}s", "ortools", {}, hgs_time, True),
        (f"hgs {hgs_time:g}s", "hgs", {}, hgs_time, True),
    ]


def bench_set(problem: str, preference: str | None, size: int, vehicles: int, args: argparse.Namespace) -> list[dict]:
    """Every solver on one generated set; rows of the table (HGS's row last)."""
    params = {"num_agents": vehicles} | ({"preference": preference} if preference else {})
    label = f"{problem}{'-' + preference if preference else ''} n{size} m{vehicles}"
    instances = instances_from_batch(
        problem, generate_dataset(problem, args.num_instances, size, seed=args.seed, **params), name=label
    )
    subset = args.classical_large if size >= 50 else args.classical
    runs = solver_runs(args, problem, size >= 50)
    solutions = {}
    for name, solver, options, limit, classical in runs:
        batch = instances[:subset] if classical else instances
        runner = get_solver(solver, **options)
        if not classical:  # warm-up: the first decode pays one-off costs (policy loading, allocator)
            runner.solve_many(batch[:2], seed=args.seed)
        solutions[name] = runner.solve_many(batch, time_limit=limit, seed=args.seed)
        print(f"  {label}: {name} done", flush=True)
    reference = solutions[runs[-1][0]]
    rows = []
    for name, *_ in runs:
        sols = solutions[name]
        common = sols[:subset]
        assert all(s.feasible for s in sols), f"{name}: infeasible solution on {label}"
        seconds = float(np.mean([s.runtime for s in sols]))
        rows.append(
            {
                "set": label,
                "solver": name,
                "instances": f"{len(common)}/{len(sols)}",
                "travel_time": float(np.mean([s.terms["travel_time"] for s in common])),
                "preference": float(np.mean([s.terms["preference"] for s in common])),
                "J": float(np.mean([s.cost for s in common])),
                "J (all)": float(np.mean([s.cost for s in sols])),
                "gap_pct": float(np.mean([gap_pct(s, r.cost) for s, r in zip(common, reference, strict=True)])),
                "s_per_inst": seconds,
                "inst_per_s": 1 / seconds if seconds > 0 else float("inf"),
            }
        )
    hgs_rate = rows[-1]["inst_per_s"]
    for row in rows:
        row["x_hgs"] = row["inst_per_s"] / hgs_rate
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-instances", type=int, default=1000)
    parser.add_argument("--classical", type=int, default=100, help="instances for OR-Tools/HGS at n = 20")
    parser.add_argument("--classical-large", type=int, default=20, help="instances for OR-Tools/HGS at n = 50")
    parser.add_argument("--hgs-time", type=float, default=1.0, help="seconds per instance, OR-Tools and HGS, n = 20")
    parser.add_argument("--hgs-time-large", type=float, default=2.0, help="the same at n = 50")
    parser.add_argument("--sets", default="all", help="comma-separated indices into the set list, or 'all'")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="also write the table as Markdown here")
    parser.add_argument(
        "--camp", action="append", default=[], help="PROBLEM=PATH: this CAMP checkpoint, not the shipped one"
    )
    parser.add_argument("--seq-am", action="append", default=[], help="PROBLEM=PATH: the sequential peer's checkpoint")
    args = parser.parse_args()
    args.camp, args.seq_am = checkpoints(args.camp, "--camp"), checkpoints(args.seq_am, "--seq-am")
    import ncorouting.models.zoo  # noqa: F401  (importing rl4co resets torch's thread count: set it after)

    torch.set_num_threads(args.threads)
    chosen = SETS if args.sets == "all" else [SETS[int(i)] for i in args.sets.split(",")]
    rows = []
    for problem, preference, size, vehicles in chosen:
        set_rows = bench_set(problem, preference, size, vehicles, args)
        rows += set_rows
        print(format_table(set_rows, COLUMNS), flush=True)
    table = format_table(rows, COLUMNS)
    machine = f"{platform.machine()}, {torch.get_num_threads()} torch thread(s), {platform.python_version()}"
    print(f"\n{table}\n{machine}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        cells = [[f"{row[c]:.4g}" if isinstance(row[c], float) else str(row[c]) for c in COLUMNS] for row in rows]
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)] + [
            "| " + " | ".join(r) + " |" for r in cells
        ]
        Path(args.out).write_text("\n".join(lines) + f"\n\n{machine}\n")


if __name__ == "__main__":
    main()
