"""Real-world routing benchmark: ATSP50, ACVRP50 and ACVRPTW50 sampled in the training city
(aguascalientes, "in-city") and in another (helsinki, "out-of-city"), in one process: RRNCO (multi-start
greedy, best of x8 augmentations), MatNet (ATSP), LKH-3 / HGS and OR-Tools on the same instances, every
solution checked. Gap per instance to the best classical solver; the neural solvers also run on more
instances for their speed. Also the time to build 1,000-point matrices.

    python benchmarks/bench_realworld.py [--neural 200] [--classical 50] [--time-limit 1] [--out DIR]
        [--checkpoint atsp:rrnco=runs/atsp50_rrnco/policy.pt ...]
"""

from __future__ import annotations

import argparse
import math
import platform
import time
from pathlib import Path

import torch

from ncorouting.bench import SolverSpec, plot_gap_vs_time, run_solver, summarise, write_csv
from ncorouting.realworld.city import build_city
from ncorouting.realworld.instances import sample_instances
from ncorouting.report import format_table

OSM_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm"
CITIES = {"in-city": "aguascalientes", "out-of-city": "helsinki"}
#: Classical references and neural solvers per problem.
CASES = {"atsp": (("lkh", "ortools"), ("rrnco", "matnet")), "acvrp": (("hgs", "ortools"), ("rrnco",))}
CASES["acvrptw"] = CASES["acvrp"]
COLUMNS = ["problem", "city", "solver", "instances", "feasible", "mean_cost", "gap_pct", "s_per_inst", "inst_per_s"]


def parse_checkpoints(items: list[str]) -> dict[tuple[str, str], str]:
    """`PROBLEM:MODEL=PATH` items as {(problem, model): path}."""
    out = {}
    for item in items:
        key, path = item.split("=", 1)
        problem, model = key.split(":")
        out[(problem, model)] = path
    return out


def best_classical(runs: dict[str, list], labels: list[str], count: int) -> list[float | None]:
    """Per instance, the lowest feasible cost among the classical solvers (None when none is feasible)."""
    refs = []
    for i in range(count):
        costs = [runs[k][i].cost for k in labels if runs[k][i] is not None and runs[k][i].feasible]
        refs.append(min(costs) if costs else None)
    return refs


def bench_case(problem, city, label, args, checkpoints, out: Path) -> list[dict]:
    """All solvers of one problem on one city's instances; summary rows (gaps on the shared instances)."""
    classical, neural = CASES[problem]
    instances = sample_instances(city, problem, args.size, args.neural, seed=args.seed, name=f"{city.name}-{problem}")
    shared = instances[: args.classical]
    runs = {}
    for name in classical:
        spec = SolverSpec(name, args.time_limit)
        runs[spec.label] = run_solver(spec, shared, workers=1, seed=0)
    refs = best_classical(runs, list(runs), len(shared))
    rows = [summarise(k, sols, refs) for k, sols in runs.items()]
    for name in neural:
        spec = SolverSpec(name, None, checkpoints.get((problem, name)))
        solved = run_solver(spec, instances, workers=1, seed=0)
        # feasibility and speed over all its instances; mean cost and gap over the shared ones
        row = summarise(spec.label, solved, refs + [None] * (len(instances) - len(shared)))
        row["mean_cost"] = summarise(spec.label, solved[: len(shared)], refs)["mean_cost"]
        rows.append(row)
    for row in rows:
        row.update(problem=f"{problem}{args.size}", city=f"{label} ({city.name})")
        row["inst_per_s"] = 1 / row["s_per_inst"] if row["s_per_inst"] and not math.isnan(row["s_per_inst"]) else None
    case_dir = out / f"{problem}{args.size}_{label}"
    case_dir.mkdir(parents=True, exist_ok=True)
    write_csv(case_dir / "summary.csv", rows)
    plot_gap_vs_time(rows, case_dir / "gap_vs_time.png", "best classical solver")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osm-dir", type=Path, default=OSM_DIR)
    parser.add_argument("--problems", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--neural", type=int, default=200, help="instances for the neural solvers")
    parser.add_argument("--classical", type=int, default=50, help="instances (the first ones) for every solver")
    parser.add_argument("--time-limit", type=float, default=1.0, help="seconds per instance, classical solvers")
    parser.add_argument("--seed", type=int, default=4321)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--checkpoint", action="append", default=[], help="PROBLEM:MODEL=PATH (default: shipped)")
    parser.add_argument("--out", type=Path, default=Path("runs/bench_realworld"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    checkpoints = parse_checkpoints(args.checkpoint)

    cities = {}
    for label, name in CITIES.items():
        start = time.perf_counter()
        cities[label] = build_city(args.osm_dir / f"{name}.osm.bz2", num_points=1000, seed=0, progress=False)
        info = cities[label].info
        print(
            f"{name}: 1000-point matrices in {info['matrix_seconds']:.2f} s, "
            f"{time.perf_counter() - start:.2f} s with loading the roads ({info['road_edges']} edges)"
        )
    rows = []
    for problem in args.problems:
        for label, city in cities.items():
            rows += bench_case(problem, city, label, args, checkpoints, args.out)
            print(format_table(rows[-4:], COLUMNS), flush=True)
    print(f"\nmachine: {platform.machine()}, {torch.get_num_threads()} torch thread(s), CPU only")
    print(f"classical on the first {args.classical} instances, neural on {args.neural}; gaps on the shared ones")
    print(format_table(rows, COLUMNS))
    write_csv(args.out / "summary.csv", rows)


if __name__ == "__main__":
    main()
