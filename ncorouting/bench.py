"""`ncorouting bench`: several solvers on the same instances, one table, judged by the same checker.

Solvers are given as `NAME[:SECONDS][+OPTION=VALUE...][@CHECKPOINT]`, e.g. `hgs:5`, `ortools:1`,
`lkh:120+runs=10+max_trials=10000`, `pomo@runs/x/policy.pt`; options go to the solver's constructor.
Gaps are per instance, to the known optimum when every instance has one, else to a reference solver's
cost, else to the best feasible cost any solver found in this run; infeasible results count in the
feasible share and never in a mean cost or gap.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ncorouting.errors import InputError  # noqa: E402
from ncorouting.instance import Instance  # noqa: E402
from ncorouting.registry import get_problem  # noqa: E402
from ncorouting.solution import Solution  # noqa: E402
from ncorouting.solvers import NEURAL, SOLVERS, get_solver  # noqa: E402

SPEC = re.compile(
    r"^(?P<name>[a-z_]+)(?::(?P<seconds>[0-9.]+))?(?P<options>(?:\+[a-z_]+=[^+@]+)*)(?:@(?P<checkpoint>.+))?$"
)


@dataclass(frozen=True)
class SolverSpec:
    """One solver of a bench run: registry name, time limit, and checkpoint for neural ones."""

    name: str
    time_limit: float | None = None
    checkpoint: str | None = None
    options: tuple[tuple[str, int | float | str], ...] = ()

    @property
    def label(self) -> str:
        label = self.name + (f" {self.time_limit:g}s" if self.time_limit is not None else "")
        label += "".join(f" {key}={value}" for key, value in self.options)
        return label + (f" ({Path(self.checkpoint).name})" if self.checkpoint else "")

    def solver_options(self) -> dict:
        """Constructor options: the spec's `+KEY=VALUE`s and, for neural solvers, the checkpoint."""
        return dict(self.options) | ({"checkpoint": self.checkpoint} if self.checkpoint else {})


def split_case(case: str) -> tuple[str, int]:
    """A benchmark case name as (problem, size): "cvrp100" -> ("cvrp", 100)."""
    problem = case.rstrip("0123456789")
    return problem, int(case[len(problem) :])


def _option_value(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_solver_spec(text: str) -> SolverSpec:
    """`hgs:5` -> SolverSpec('hgs', 5.0); errors name the bad spec and the known solvers."""
    match = SPEC.match(text.strip())
    if not match or match["name"] not in SOLVERS:
        raise InputError(
            f"bad solver spec '{text}': expected NAME[:SECONDS][+OPTION=VALUE...][@CHECKPOINT], "
            f"NAME in {sorted(SOLVERS)}"
        )
    if match["checkpoint"] and match["name"] not in NEURAL:
        raise InputError(f"bad solver spec '{text}': only neural solvers take a checkpoint")
    options = tuple(
        (key, _option_value(value)) for key, value in (item.split("=", 1) for item in match["options"].split("+")[1:])
    )
    seconds = float(match["seconds"]) if match["seconds"] else None
    return SolverSpec(match["name"], seconds, match["checkpoint"], options)


def run_solver(spec: SolverSpec, instances: Sequence[Instance], workers: int, seed: int) -> list[Solution | None]:
    """Solve every instance the solver supports (None where it does not), workers in parallel."""
    solver = get_solver(spec.name, **spec.solver_options())
    index = [i for i, inst in enumerate(instances) if solver.supports(inst) is None]
    solved = solver.solve_many([instances[i] for i in index], spec.time_limit, seed, workers=workers, progress=True)
    results: list[Solution | None] = [None] * len(instances)
    for i, sol in zip(index, solved, strict=True):
        results[i] = sol
    return results


def reference_costs(instances: Sequence[Instance], runs: dict[str, list[Solution | None]], reference: str | None):
    """Per-instance reference cost and what it is (optimum, a solver's label, or best found)."""
    if reference is None and all(inst.known_optimum is not None for inst in instances):
        return [inst.known_optimum for inst in instances], "known optimum"
    if reference is not None:
        return [s.cost if s is not None and s.feasible else None for s in runs[reference]], reference
    best = []
    for i in range(len(instances)):
        costs = [sols[i].cost for sols in runs.values() if sols[i] is not None and sols[i].feasible]
        best.append(min(costs) if costs else None)
    return best, "best found in this run"


def gap_pct(solution: Solution, reference: float | None) -> float | None:
    """Gap in % of a feasible solution to a reference cost; the denominator is the reference plus the
    problem's `gap_offset` (0 but for PVRP-P, whose objective can be zero or negative)."""
    if not solution.feasible or reference is None:
        return None
    base = reference + get_problem(solution.instance.problem).gap_offset(solution.instance)
    return 100 * (solution.cost - reference) / base if base else None


def summarise(label: str, solutions: list[Solution | None], refs: list[float | None]) -> dict:
    """One table row: only feasible solutions enter mean cost and gap."""
    ran = [s for s in solutions if s is not None]
    feasible = [s for s in ran if s.feasible]
    gaps = [g for s, r in zip(solutions, refs, strict=True) if s is not None and (g := gap_pct(s, r)) is not None]
    return {
        "solver": label,
        "instances": len(ran),
        "feasible": f"{len(feasible)}/{len(ran)}",
        "mean_cost": float(np.mean([s.cost for s in feasible])) if feasible else math.nan,
        "gap_pct": float(np.mean(gaps)) if gaps else math.nan,
        "s_per_inst": float(np.mean([s.runtime for s in ran])) if ran else math.nan,
    }


def per_instance_rows(instances, runs, refs) -> list[dict]:
    rows = []
    for i, inst in enumerate(instances):
        for label, sols in runs.items():
            sol = sols[i]
            if sol is None:
                continue
            gap = gap_pct(sol, refs[i])
            rows.append(
                {
                    "instance": inst.name,
                    "solver": label,
                    "cost": sol.cost if sol.feasible else None,
                    "feasible": sol.feasible,
                    "reason": sol.reason,
                    "reference": refs[i],
                    "gap_pct": gap,
                    "time_s": sol.runtime,
                }
            )
    return rows


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def plot_gap_vs_time(summary: list[dict], path: Path, reference: str) -> None:
    """Mean gap against mean seconds per instance, one labelled point per solver (log time axis)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for row in summary:
        if math.isnan(row["gap_pct"]):
            continue
        ax.scatter(row["s_per_inst"], row["gap_pct"], s=40)
        ax.annotate(
            row["solver"], (row["s_per_inst"], row["gap_pct"]), textcoords="offset points", xytext=(5, 4), fontsize=8
        )
    ax.set_xscale("log")
    ax.set_xlabel("seconds per instance (log)")
    ax.set_ylabel(f"mean gap to {reference} (%)")
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def run_bench(
    instances: Sequence[Instance],
    specs: Sequence[SolverSpec],
    reference: SolverSpec | None = None,
    workers: int = 1,
    seed: int = 0,
    out: Path | None = None,
) -> tuple[list[dict], list[dict], str]:
    """Run every solver (and the reference) on the instances; write CSVs and the plot under `out`."""
    all_specs = list(dict.fromkeys([*specs, *([reference] if reference else [])]))
    runs = {spec.label: run_solver(spec, instances, workers, seed) for spec in all_specs}
    refs, ref_name = reference_costs(instances, runs, reference.label if reference else None)
    summary = [summarise(label, sols, refs) for label, sols in runs.items()]
    detail = per_instance_rows(instances, runs, refs)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_csv(out / "summary.csv", summary)
        write_csv(out / "instances.csv", detail)
        plot_gap_vs_time(summary, out / "gap_vs_time.png", ref_name)
    return summary, detail, ref_name
