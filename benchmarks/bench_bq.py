"""BQ-NCO generalisation: gap and time against instance size, BQ (greedy, beam) vs the shipped POMO
(greedy multi-start, best of x8 augmentations) on the same generated instances, with LKH-3 (TSP) or
HGS (CVRP) as the reference; then the TSPLIB / CVRPLIB files (gap to their known optima). ATSP
instances are sampled from a city's road matrices (`--city`, default helsinki: not the training city),
BQ against the shipped RRNCO and MatNet, LKH-3 the reference; then the `.atsp` files.
Writes a table, CSVs and a gap-vs-size plot.

    python benchmarks/bench_bq.py [--problems tsp cvrp] [--sizes 50 100 200 500 1000] [--counts 64 64 32 16 8]
    python benchmarks/bench_bq.py --problems atsp --sizes 50 100 200 500 --counts 32 32 16 8 --out docs/bench/bq_atsp
"""

from __future__ import annotations

import argparse
import csv
import platform
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from ncorouting.bench import parse_solver_spec, run_bench  # noqa: E402
from ncorouting.cli.common import instance_paths  # noqa: E402
from ncorouting.evaluation import EvalResult, eval_neural  # noqa: E402
from ncorouting.io import read_instance  # noqa: E402
from ncorouting.io.datasets import generate_dataset, instances_from_batch  # noqa: E402
from ncorouting.models.bq.solver import BQSolver  # noqa: E402
from ncorouting.models.inference import NeuralSolver  # noqa: E402
from ncorouting.models.rrnco.inference import MatrixPolicySolver  # noqa: E402
from ncorouting.realworld.city import City, build_city  # noqa: E402
from ncorouting.realworld.instances import sample_batch  # noqa: E402
from ncorouting.report import format_table  # noqa: E402
from ncorouting.solvers import get_solver  # noqa: E402

REFERENCE = {"tsp": "lkh", "cvrp": "hgs", "atsp": "lkh"}
COLUMNS = ["problem", "size", "solver", "policy", "instances", "gap_pct", "feasible_pct", "s_per_inst"]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"
OSM_DIR = SHARED.parent / "osm"
#: Library folders and the solvers run on them, per problem.
LIBRARY = {
    "tsplib": ("bq", "bq+beam=16", "pomo+num_augment=1", "pomo"),
    "cvrplib": ("bq", "bq+beam=16", "pomo+num_augment=1", "pomo"),
    "atsp": ("bq", "bq+beam=16", "rrnco+num_augment=1", "rrnco", "matnet", "lkh"),
}


def reference_result(problem: str, td, size: int, seconds: float) -> EvalResult:
    """The classical reference on every instance (one process), timed per instance."""
    instances = instances_from_batch(problem, td, name=f"{problem}{size}")
    options = {"max_trials": size} if REFERENCE[problem] == "lkh" else {}
    solver = get_solver(REFERENCE[problem], **options)
    solutions = solver.solve_many(instances, seconds, progress=True)
    return EvalResult(f"{REFERENCE[problem]} {seconds:g}s", solutions, sum(s.runtime for s in solutions))


def neural_runs(args, problem: str, size: int, count: int) -> list[tuple[str, NeuralSolver, int]]:
    """(label, solver, instances) for one size; the costly settings run on the first few instances.
    The multi-start peers are POMO (TSP, CVRP) or RRNCO and MatNet (ATSP, trained on road matrices)."""
    pomo_batch = 1 if size > 200 else 16  # POMO decodes all n starts at once: memory grows as n^2
    runs = [
        ("bq greedy", BQSolver(knn=args.knn), count),
        ("bq beam16", BQSolver(beam=16, knn=args.knn, batch_size=8), min(count, args.beam_instances)),
    ]
    if problem == "atsp":
        runs.append(("rrnco greedy", MatrixPolicySolver("rrnco", num_augment=1, batch_size=pomo_batch), count))
        if size <= args.pomo_aug_max:
            runs.append(("rrnco x8", MatrixPolicySolver("rrnco", batch_size=4), count))
        runs.append(("matnet", MatrixPolicySolver("matnet", batch_size=pomo_batch), count))
        return runs
    runs.append(("pomo greedy", NeuralSolver("pomo", num_augment=1, batch_size=pomo_batch), count))
    if size <= args.pomo_aug_max:
        runs.append(("pomo x8", NeuralSolver("pomo", num_augment=8, batch_size=4), count))
    return runs


def instance_batch(args, problem: str, size: int, count: int, city: City | None):
    """Generated instances (TSP, CVRP) or a sample of the city's road matrices (ATSP)."""
    if city is None:
        return generate_dataset(problem, count, size, seed=args.seed)
    return sample_batch(city, problem, size, count, seed=args.seed)


def generated(args) -> list[dict]:
    rows = []
    for problem in args.problems:
        city = None
        if problem == "atsp":
            city = build_city(OSM_DIR / f"{args.city}.osm.bz2", num_points=args.city_points, seed=0)
        for size, count in zip(args.sizes, args.counts, strict=True):
            td = instance_batch(args, problem, size, count, city)
            ref = reference_result(problem, td, size, args.ref_seconds * max(1.0, size / 100))
            rows.append({"problem": problem, "size": size, **ref.row(ref), "policy": "-"})
            first = instances_from_batch(problem, td[:1])[0]
            for label, solver, num in neural_runs(args, problem, size, count):
                if (reason := solver.supports(first)) is not None:  # e.g. MatNet's node limit
                    print(f"skipping {label} at {size}: {reason}")
                    continue
                result = eval_neural(solver, problem, td[:num], size, name=f"{problem}{size}")
                policy = solver.policy_path(problem, size).name
                rows.append(
                    {"problem": problem, "size": size, **result.row(ref.head(num), label=label), "policy": policy}
                )
                print(format_table(rows[-1:], COLUMNS), flush=True)
    return rows


def plot(rows: list[dict], path: Path) -> None:
    """Mean gap against size (log axes), one line per neural solver, one panel per problem."""
    problems = sorted({r["problem"] for r in rows})
    fig, axes = plt.subplots(1, len(problems), figsize=(6 * len(problems), 4.2), squeeze=False)
    for ax, problem in zip(axes[0], problems, strict=True):
        for label in dict.fromkeys(r["solver"] for r in rows if r["problem"] == problem):
            points = [(r["size"], r["gap_pct"]) for r in rows if r["problem"] == problem and r["solver"] == label]
            if label.startswith(("lkh", "hgs")):
                continue
            ax.plot(*zip(*points, strict=True), "o-", label=label)
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1)
        ax.set_xlabel("clients" if problem == "cvrp" else "nodes")
        ax.set_ylabel(f"mean gap to {REFERENCE[problem].upper()} (%)")
        ax.set_title(f"{problem.upper()}: trained at 50 nodes, tested up to {max(r['size'] for r in rows)}")
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def library_files(out: Path, problems: list[str]) -> None:
    """BQ and its peers on the TSPLIB, CVRPLIB and ATSP files beside the checkout: gap to the known
    optima (ATSP: to LKH-3 where a file has none)."""
    folders = {"tsp": "tsplib", "cvrp": "cvrplib", "atsp": "atsp"}
    for folder in (folders[p] for p in problems):
        specs = [parse_solver_spec(s) for s in LIBRARY[folder]]
        if not (SHARED / folder).is_dir():
            print(f"skipping {folder}: {SHARED / folder} not found")
            continue
        instances = [read_instance(p) for p in instance_paths(SHARED / folder)]
        summary, _, ref = run_bench(instances, specs, out=out / folder)
        print(f"\n{folder}: {len(instances)} files, gap to {ref}")
        print(format_table(summary, ["solver", "instances", "feasible", "mean_cost", "gap_pct", "s_per_inst"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=["tsp", "cvrp"], choices=["tsp", "cvrp", "atsp"])
    parser.add_argument("--city", default="helsinki", help="ATSP: the OSM extract in ../shared/data/osm to sample")
    parser.add_argument("--city-points", type=int, default=1000, help="ATSP: points sampled on the city's roads")
    parser.add_argument("--sizes", nargs="+", type=int, default=[50, 100, 200, 500, 1000])
    parser.add_argument("--counts", nargs="+", type=int, default=[64, 64, 32, 16, 8])
    parser.add_argument("--beam-instances", type=int, default=8, help="instances per size for beam 16")
    parser.add_argument("--pomo-aug-max", type=int, default=200, help="largest size for POMO x8 (memory, time)")
    parser.add_argument("--knn", type=int, default=None, help="BQ candidates per step (default: the solver's)")
    parser.add_argument("--ref-seconds", type=float, default=2.0, help="reference seconds per 100 nodes")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-files", action="store_true", help="no TSPLIB / CVRPLIB part")
    parser.add_argument("--files-only", action="store_true", help="only the TSPLIB / CVRPLIB part")
    parser.add_argument("--out", default="docs/bench/bq")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.files_only:
        library_files(out, args.problems)
        return
    rows = generated(args)
    header = (
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {args.threads} torch thread(s); "
        f"gap_pct = mean per-instance gap to the reference on the same instances; seed {args.seed}"
    )
    table = format_table(rows, COLUMNS)
    print("\n" + header + "\n" + table)
    with open(out / "gap_vs_size.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (out / "gap_vs_size.md").write_text(f"{header}\n\n```\n{table}\n```\n")
    plot(rows, out / "gap_vs_size.png")
    if not args.skip_files:
        library_files(out, args.problems)


if __name__ == "__main__":
    main()
