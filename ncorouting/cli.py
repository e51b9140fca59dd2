"""Command line: `ncorouting solve|eval|train|generate|demo` (also `python -m ncorouting`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from ncorouting.errors import InputError, NcoroutingError
from ncorouting.io import INSTANCE_SUFFIXES, read_instance, write_solution
from ncorouting.registry import get_problem
from ncorouting.report import format_table
from ncorouting.solvers import SOLVERS, get_solver

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_INSTANCES = [REPO_ROOT / "data" / "demo" / "tsp20_demo.tsp", REPO_ROOT / "data" / "demo" / "cvrp20_demo.vrp"]
SOLVE_COLUMNS = ["instance", "solver", "cost", "feasible", "routes", "time_s", "optimum", "gap_pct"]


def _instance_paths(target: Path) -> list[Path]:
    if target.is_dir():
        paths = sorted(p for p in target.iterdir() if p.suffix.lower() in INSTANCE_SUFFIXES)
        if not paths:
            raise InputError(f"no instance files ({', '.join(INSTANCE_SUFFIXES)}) in folder", source=str(target))
        return paths
    if not target.exists():
        raise InputError("file not found", source=str(target))
    return [target]


def _solver_options(args: argparse.Namespace) -> dict:
    if args.solver in ("pomo", "am"):
        return {"checkpoint": args.checkpoint, "num_augment": args.num_augment, "device": args.device}
    if args.checkpoint:
        raise InputError(f"--checkpoint applies to neural solvers, not '{args.solver}'")
    return {}


def cmd_solve(args: argparse.Namespace) -> int:
    """Solve files; print the table; write solution files and plots (only for feasible solutions)."""
    instances = [read_instance(p) for p in _instance_paths(Path(args.path))]  # all validated before any output
    solver = get_solver(args.solver, **_solver_options(args))
    solutions = solver.solve_many(instances, time_limit=args.time_limit, seed=args.seed)
    print(format_table([s.summary() for s in solutions], SOLVE_COLUMNS))
    out = Path(args.out)
    status = 0
    for sol in solutions:
        if not sol.feasible:
            print(f"{sol.instance.name}: INFEASIBLE ({sol.reason}); no solution file written", file=sys.stderr)
            status = 1
            continue
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"{sol.instance.name}.{sol.solver}"
        written = [write_solution(stem.with_name(stem.name + get_problem(sol.instance.problem).solution_suffix), sol)]
        if sol.instance.coords is not None and not args.no_plot:
            png = stem.with_name(stem.name + ".png")
            sol.plot(path=png)
            written.append(png)
        print("wrote " + ", ".join(str(p) for p in written))
    return status


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate a neural policy on a generated (or saved) test set against a reference solver."""
    from ncorouting.evaluation import eval_neural, eval_solver
    from ncorouting.io.datasets import generate_dataset, load_dataset
    from ncorouting.models.inference import NeuralSolver

    if args.dataset:
        problem, td = load_dataset(args.dataset)
    else:
        problem = get_problem(args.problem).name
        td = generate_dataset(problem, args.num_instances, args.size, seed=args.seed)
    num_loc = td["locs"].shape[1]
    solver = NeuralSolver(
        model=args.solver,
        checkpoint=args.checkpoint,
        num_augment=args.num_augment,
        batch_size=args.batch_size,
        allow_other_size=args.allow_other_size,
        device=args.device,
    )
    neural = eval_neural(solver, problem, td, num_loc)
    rows = [neural.row()]
    if args.reference and args.reference_instances > 0:
        ref = eval_solver(get_solver(args.reference), problem, td[: args.reference_instances], args.time_limit)
        rows = [neural.row(ref), ref.row(ref, label=f"{args.reference} ({args.time_limit:g} s)")]
        print(f"gap to {args.reference} measured on the first {len(ref.solutions)} instances")
    print(format_table(rows, ["solver", "instances", "mean_cost", "gap_pct", "feasible", "s_per_inst", "inst_per_s"]))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train from Hydra configs; any key can be overridden (`key=value`)."""
    from ncorouting.training.train import load_config, train

    train(load_config(args.overrides))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """Generate instances: a `.npz` batch, or one file per instance (`.tsp`/`.vrp`/`.json`)."""
    from ncorouting.io.datasets import generate_dataset, save_dataset
    from ncorouting.io.writers import write_instance

    problem = get_problem(args.problem).name
    td = generate_dataset(problem, args.num_instances, args.size, seed=args.seed)
    out = Path(args.out)
    if out.suffix == ".npz":
        out.parent.mkdir(parents=True, exist_ok=True)
        save_dataset(out, problem, td)
        print(f"wrote {args.num_instances} {problem}{args.size} instances to {out}")
        return 0
    from ncorouting.io.datasets import instances_from_batch

    out.mkdir(parents=True, exist_ok=True)
    prefix = args.name or f"{problem}{args.size}-s{args.seed}"
    for inst in instances_from_batch(problem, td, name=prefix):
        if args.num_instances == 1:
            inst.name = prefix
        print(f"wrote {write_instance(out, inst, args.format, scale=args.scale)}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Several solvers on the same files or generated instances: one table, CSVs, gap-vs-time plot."""
    from ncorouting.bench import parse_solver_spec, run_bench
    from ncorouting.io.datasets import generate_dataset, instances_from_batch

    specs = [parse_solver_spec(text) for text in args.solvers.split(",") if text.strip()]
    reference = parse_solver_spec(args.reference) if args.reference else None
    if args.path:
        instances = [read_instance(p) for p in _instance_paths(Path(args.path))]
    else:
        problem = get_problem(args.problem).name
        td = generate_dataset(problem, args.num_instances, args.size, seed=args.seed)
        instances = instances_from_batch(problem, td, name=f"{problem}{args.size}-s{args.seed}")
    out = Path(args.out)
    summary, detail, ref_name = run_bench(instances, specs, reference, workers=args.workers, seed=args.seed, out=out)
    if args.per_instance:
        print(format_table(detail, ["instance", "solver", "cost", "feasible", "reference", "gap_pct", "time_s"]))
    print(f"\n{len(instances)} instances; gap to {ref_name}; workers={args.workers}")
    print(format_table(summary, ["solver", "instances", "feasible", "mean_cost", "gap_pct", "s_per_inst"]))
    print(f"wrote {out / 'summary.csv'}, {out / 'instances.csv'}, {out / 'gap_vs_time.png'}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Solve the shipped demo instances with shipped POMO and with OR-Tools; table and plot."""
    import matplotlib.pyplot as plt

    instances = [read_instance(p) for p in DEMO_INSTANCES]
    solvers = [get_solver("pomo"), get_solver("ortools")]
    solutions = [[solver.solve(inst, time_limit=args.time_limit) for solver in solvers] for inst in instances]
    rows = [s.summary() for row in solutions for s in row]
    best = {inst.name: min(s.cost for s in row if s.feasible) for inst, row in zip(instances, solutions, strict=True)}
    for r in rows:
        r["gap_to_best_pct"] = 100 * (r["cost"] - best[r["instance"]]) / best[r["instance"]]
    print(format_table(rows, ["instance", "solver", "cost", "feasible", "routes", "time_s", "gap_to_best_pct"]))
    fig, axes = plt.subplots(len(instances), len(solvers), figsize=(5 * len(solvers), 5 * len(instances)))
    for i, row in enumerate(solutions):
        for j, sol in enumerate(row):
            sol.plot(ax=axes[i][j])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "demo.png", dpi=100, bbox_inches="tight")
    print(f"saved plot to {out / 'demo.png'}")
    return 0


def _add_generated_set_args(p: argparse.ArgumentParser, problem: str, size: int, count: int, seed: int) -> None:
    """Arguments describing a generated instance set: problem, size, count, seed."""
    p.add_argument("--problem", default=problem)
    p.add_argument("--size", type=int, default=size, help="cities (TSP) or clients (CVRP)")
    p.add_argument("--num-instances", type=int, default=count)
    p.add_argument("--seed", type=int, default=seed)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ncorouting", description="Neural and classical vehicle-routing solvers.")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("solve", help="solve a TSPLIB/CVRPLIB/JSON file or a folder of them")
    p.add_argument("path")
    p.add_argument("--solver", default="pomo", choices=sorted(SOLVERS))
    p.add_argument("--checkpoint", default=None, help="policy file (.pt or Lightning .ckpt); default: shipped")
    p.add_argument("--num-augment", type=int, default=None, help="x8 dihedral augmentation for POMO by default")
    p.add_argument("--device", default="cpu", help="torch device for neural solvers, e.g. cuda")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance (classical solvers)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="solutions", help="folder for solution files and plots")
    p.add_argument("--no-plot", action="store_true")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("eval", help="evaluate a policy on a generated test set against a reference solver")
    _add_generated_set_args(p, "tsp", 20, 1000, 1234)
    p.add_argument("--dataset", default=None, help=".npz test set instead of generating one")
    p.add_argument("--solver", default="pomo", choices=["pomo", "am"])
    p.add_argument("--checkpoint", default=None)
    p.add_argument("--num-augment", type=int, default=None)
    p.add_argument("--device", default="cpu", help="torch device, e.g. cuda")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--allow-other-size", action="store_true", help="use a checkpoint trained on another size")
    p.add_argument("--reference", default="ortools", help="reference solver ('' for none)")
    p.add_argument("--reference-instances", type=int, default=100)
    p.add_argument("--time-limit", type=float, default=1.0, help="reference seconds per instance")
    p.add_argument("--json", default=None, help="also write the table as JSON")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("train", help="train from Hydra configs, e.g. experiment=tsp20_pomo trainer.max_epochs=5")
    p.add_argument("overrides", nargs="*")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("generate", help="generate instances (.npz batch or instance files)")
    _add_generated_set_args(p, "tsp", 20, 1000, 0)
    p.add_argument("--out", required=True, help="a .npz file, or a folder for instance files")
    p.add_argument("--format", default="vrplib", choices=["vrplib", "json"])
    p.add_argument("--scale", type=float, default=1000.0, help="coordinate scale for integer (EUC_2D) files")
    p.add_argument("--name", default=None, help="instance name (prefix when several)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("bench", help="compare solvers on the same files or generated instances")
    p.add_argument("path", nargs="?", default=None, help="instance file or folder; else generated instances")
    p.add_argument("--solvers", default="ortools:1,hgs:1,lkh:1", help="NAME[:SECONDS][@CHECKPOINT],...")
    p.add_argument("--reference", default=None, help="solver spec for gaps (default: known optimum or best found)")
    _add_generated_set_args(p, "cvrp", 50, 100, 1234)
    p.add_argument("--workers", type=int, default=0, help="parallel processes for classical solvers (0: all cores)")
    p.add_argument("--per-instance", action="store_true", help="also print one row per instance and solver")
    p.add_argument("--out", default="bench_output")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("demo", help="solve the shipped demo instances with POMO and OR-Tools")
    p.add_argument("--time-limit", type=float, default=2.0)
    p.add_argument("--out", default="demo_output")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        return args.func(args)
    except NcoroutingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
