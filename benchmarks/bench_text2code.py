"""What a text-to-code round costs besides the LLM, in one process: the sandbox's fixed cost (with and
without the network namespace), and per benchmark task our exact solver in-process vs the same solver as
the reference program in the sandbox, with our checker's verdict on its answer.

    python benchmarks/bench_text2code.py [--repeats 3] [--out docs/bench/text2code.md]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ncorouting.llm.checkers import judge
from ncorouting.llm.sandbox import Sandbox, run_program
from ncorouting.llm.tasks import exact, load_benchmark, reference_program
from ncorouting.report import format_table

EMPTY = 'import json\nprint(json.dumps({"tours": [], "cost": 0}))'


def median_seconds(action, repeats: int) -> tuple[float, object]:
    """Median wall time of `action()` over `repeats` calls, and its last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="also write the tables to this Markdown file")
    args = parser.parse_args()

    isolated, hook_only = Sandbox(), Sandbox(network_namespace=False)
    overhead = [
        {
            "sandbox": box.isolation,
            "s_per_run": median_seconds(lambda b=box: run_program(b, EMPTY, {}), args.repeats)[0],
        }
        for box in (isolated, hook_only)
    ]
    rows = []
    for task in load_benchmark():
        key = task.task_type.key
        solve_s, _ = median_seconds(lambda t=task, k=key: exact.solve(t.instance, k), args.repeats)
        run_s, run = median_seconds(lambda t=task, k=key: run_program(isolated, reference_program(k), t.instance), 1)
        verdict = judge(task, run.answer) if run.ok else None
        rows.append(
            {
                "task": task.id,
                "exact_s": solve_s,
                "sandboxed_s": run_s,
                "verdict": run.verdict,
                "feasible": bool(verdict and verdict.feasible),
                "at_optimum": bool(verdict and verdict.feasible and abs(verdict.cost - task.optimum) < 1e-9),
            }
        )
    tables = [
        format_table(overhead, ["sandbox", "s_per_run"]),
        format_table(rows, ["task", "exact_s", "sandboxed_s", "verdict", "feasible", "at_optimum"]),
    ]
    print("\n\n".join(tables))
    if args.out:
        args.out.write_text("\n\n".join(f"```\n{t}\n```" for t in tables) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
