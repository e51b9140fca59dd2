"""DeepACO / GFACS against the classical solvers and POMO on the same generated instances, at 1 s and
10 s of search, from the policies trained at 100 nodes up to 1,000 nodes; then on the TSPLIB / CVRPLIB
files (gap to their known optima; explicit-matrix files included). Each (problem, size) is one
`ncorouting bench` run: its summary, per-instance CSV and gap-vs-time plot go under --out; the script
prints one table and draws all points on one gap-vs-time figure. `--memory` instead prints the largest
tensor of one whole TSP solve (graph, GNN, ants, 2-opt, pheromone) per size, for the shipped architecture.

    python benchmarks/bench_aco.py [--problems tsp cvrp] [--sizes 100 200 500 1000] [--counts 16 8 8 4]
    python benchmarks/bench_aco.py --memory --sizes 250 1000 2000
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
from ncorouting.errors import CheckpointError  # noqa: E402
from ncorouting.io import read_instance  # noqa: E402
from ncorouting.io.datasets import generate_dataset, instances_from_batch  # noqa: E402
from ncorouting.models.aco.memory import LargestTensor  # noqa: E402
from ncorouting.models.aco.policy import ACO_POLICY_DEFAULTS  # noqa: E402
from ncorouting.models.aco.solver import AcoSolver  # noqa: E402
from ncorouting.models.checkpoint import policy_metadata, save_policy  # noqa: E402
from ncorouting.models.inference import shipped_checkpoint  # noqa: E402
from ncorouting.models.zoo import build_policy  # noqa: E402
from ncorouting.report import format_table  # noqa: E402

COLUMNS = ["problem", "size", "solver", "instances", "feasible", "gap_pct", "s_per_inst"]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"


def reference(problem: str, size: int) -> str:
    """LKH-3 (TSP: its default trials, up to 1 s per 100 cities) or HGS for 10 s (CVRP)."""
    return f"lkh:{max(1, size // 100)}+max_trials={size}" if problem == "tsp" else "hgs:10"


def shipped(model: str, problem: str) -> bool:
    """Whether `model` has a shipped policy for `problem` (the solvers' own lookup)."""
    try:
        shipped_checkpoint(model, problem, 100)
    except CheckpointError:
        return False
    return True


def untrained_policy(problem: str, out: Path) -> Path:
    """A DeepACO policy with random weights (seed 0): the search alone, for the ablation rows."""
    path = out / f"untrained_deepaco_{problem}.pt"
    torch.manual_seed(0)
    policy = build_policy("deepaco", problem, ACO_POLICY_DEFAULTS)
    save_policy(path, policy, policy_metadata(problem, 100, "deepaco", ACO_POLICY_DEFAULTS))
    return path


def contenders(problem: str, size: int, args, out: Path) -> list[str]:
    """Solver specs for one size: ACO at each limit (and with an untrained heatmap at the first), the
    classical solvers at 1 s, POMO up to --pomo-max."""
    specs = [f"deepaco:{t:g}" for t in args.limits]
    specs.append(f"deepaco:{args.limits[0]:g}@{untrained_policy(problem, out)}")
    if size in args.gfacs_sizes and shipped("gfacs", problem):
        specs += [f"gfacs:{t:g}" for t in args.limits]
    specs += ["lkh:1", "ortools:1"] if problem == "tsp" else ["hgs:1", "ortools:1"]
    if size <= args.pomo_max and shipped("pomo", problem):
        specs.append("pomo")
    return specs


def memory(sizes: list[int], out: Path, seed: int) -> None:
    """Largest tensor (elements) allocated by one TSP solve of 20 ants, one iteration, per size."""
    path = untrained_policy("tsp", out)  # the weights do not change any shape
    k = ACO_POLICY_DEFAULTS["k"]
    rows = []
    for n in sizes:
        inst = instances_from_batch("tsp", generate_dataset("tsp", 1, n, seed=seed))[0]
        solver = AcoSolver(checkpoint=path, ants=20, max_iterations=1)
        solver.solve(inst)  # load and compile outside the measurement
        with LargestTensor() as probe:
            assert solver.solve(inst, time_limit=600).feasible
        rows.append(
            {
                "n": n,
                "k": k,
                "largest_tensor": probe.largest,
                "per_n_k": round(probe.largest / (n * k), 2),
                "per_n2": round(probe.largest / n**2, 3),
                "MiB_float32": round(4 * probe.largest / 2**20, 2),
            }
        )
    print(format_table(rows, list(rows[0])))


def generated(args, out: Path) -> list[dict]:
    rows = []
    for problem in args.problems:
        for size, count in zip(args.sizes, args.counts, strict=True):
            instances = instances_from_batch(problem, generate_dataset(problem, count, size, seed=args.seed))
            specs = [parse_solver_spec(s) for s in contenders(problem, size, args, out)]
            ref = parse_solver_spec(reference(problem, size))
            summary, _, ref_name = run_bench(instances, specs, reference=ref, out=out / f"{problem}{size}")
            rows += [{"problem": problem, "size": size, **row, "reference": ref_name} for row in summary]
            print(format_table(rows[-len(summary) :], COLUMNS), flush=True)
    return rows


def library_files(args, out: Path) -> list[dict]:
    """ACO on the TSPLIB and CVRPLIB files beside the checkout: gap to the known optima."""
    rows = []
    for folder in ("tsplib", "cvrplib"):
        if not (SHARED / folder).is_dir():
            print(f"skipping {folder}: {SHARED / folder} not found")
            continue
        instances = [read_instance(p) for p in instance_paths(SHARED / folder)]
        problem = "tsp" if folder == "tsplib" else "cvrp"
        models = [m for m in ("deepaco", "gfacs") if shipped(m, problem)]
        specs = [parse_solver_spec(f"{m}:{args.file_limit:g}") for m in models]
        summary, _, ref_name = run_bench(instances, specs, out=out / folder)
        rows += [{"problem": folder, "size": "files", **row, "reference": ref_name} for row in summary]
        print(format_table(rows[-len(summary) :], COLUMNS), flush=True)
    return rows


def plot(rows: list[dict], path: Path) -> None:
    """Mean gap against seconds per instance, one panel per problem, one colour per size."""
    problems = [p for p in ("tsp", "cvrp") if any(r["problem"] == p for r in rows)]
    fig, axes = plt.subplots(1, len(problems), figsize=(7 * len(problems), 5), squeeze=False)
    for ax, problem in zip(axes[0], problems, strict=True):
        sizes = sorted({r["size"] for r in rows if r["problem"] == problem})
        colours = plt.cm.viridis([i / max(1, len(sizes) - 1) for i in range(len(sizes))])
        for colour, size in zip(colours, sizes, strict=True):
            for r in rows:
                if r["problem"] != problem or r["size"] != size or r["gap_pct"] != r["gap_pct"]:
                    continue
                marker = "*" if r["solver"].startswith(("deepaco", "gfacs")) else "o"
                ax.scatter(r["s_per_inst"], r["gap_pct"], color=colour, marker=marker, s=70 if marker == "*" else 30)
                point = (r["s_per_inst"], r["gap_pct"])
                ax.annotate(f"{r['solver']} n={size}", point, fontsize=6, xytext=(4, 3), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1)
        ax.set_xlabel("seconds per instance (log)")
        ax.set_ylabel(f"mean gap to {'LKH-3' if problem == 'tsp' else 'HGS 10 s'} (%)")
        ax.set_title(f"{problem.upper()}: stars = DeepACO / GFACS (trained at 100), dots = others")
        ax.grid(alpha=0.3, which="both")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def plot_curves(runs: list[Path], path: Path) -> None:
    """Training curves of ACO runs (Lightning CSV logs): tour length sampled from the heatmap, after local
    search, and of the validation ant colony, against the training step; one panel per run."""
    fig, axes = plt.subplots(1, len(runs), figsize=(6 * len(runs), 4), squeeze=False)
    for ax, run in zip(axes[0], runs, strict=True):
        series: dict[str, list[tuple[int, float]]] = {"train/reward": [], "train/ls_reward": [], "val/reward": []}
        with open(run / "logs" / "metrics.csv") as fh:
            for row in csv.DictReader(fh):
                for key, points in series.items():
                    if row.get(key):
                        points.append((int(row["step"]), -float(row[key])))
        labels = {
            "train/reward": "sampled tours (train batch)",
            "train/ls_reward": "after local search (train batch)",
            "val/reward": "validation colony, no local search (heatmap alone)",
        }
        for key, points in series.items():
            if points:
                ax.plot(*zip(*points, strict=True), "o-" if key.startswith("val") else "-", lw=1, label=labels[key])
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel("mean tour length")
        ax.set_title(run.name)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=["tsp", "cvrp"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 200, 500, 1000])
    parser.add_argument("--counts", nargs="+", type=int, default=[16, 8, 8, 4])
    parser.add_argument("--limits", nargs="+", type=float, default=[1.0, 10.0], help="ACO seconds per instance")
    parser.add_argument("--gfacs-sizes", nargs="*", type=int, default=[100], help="sizes GFACS runs on")
    parser.add_argument("--pomo-max", type=int, default=200, help="largest size for POMO x8 (memory grows as n^2)")
    parser.add_argument("--file-limit", type=float, default=1.0, help="ACO seconds per TSPLIB / CVRPLIB file")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-files", action="store_true", help="no TSPLIB / CVRPLIB part")
    parser.add_argument("--files-only", action="store_true", help="only the TSPLIB / CVRPLIB part")
    parser.add_argument("--out", default="runs/bench_aco")
    parser.add_argument("--plot", default="docs/img/aco_gap_vs_time.png")
    parser.add_argument("--curves", nargs="+", type=Path, help="only draw these training runs' curves to --plot")
    parser.add_argument("--memory", action="store_true", help="only print the largest tensor of a solve per size")
    args = parser.parse_args()
    if args.curves:
        plot_curves(args.curves, Path(args.plot))
        return
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.memory:
        memory(args.sizes, out, args.seed)
        return
    rows = [] if args.files_only else generated(args, out)
    if rows:
        plot(rows, Path(args.plot))
    if not args.skip_files:
        rows += library_files(args, out)
    header = (
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {args.threads} torch thread(s), seed {args.seed}; "
        "gap_pct: mean per-instance gap to the reference on the same instances (files: to the known optima)"
    )
    print("\n" + header + "\n" + format_table(rows, [*COLUMNS, "reference"]))
    with open(out / "aco_summary.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
