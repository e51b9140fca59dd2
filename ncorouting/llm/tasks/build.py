"""Build the benchmark file: one instance per task type and size, its description and its optimum from our
exact solver. Run `python -m ncorouting.llm.tasks.build` after changing the generator or the wording.

A seed is kept only when its instance is feasible and its distinguishing constraint binds (the optimum with
the constraint is worse than without it), so that no task is a plain TSP in disguise.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ncorouting.llm.tasks import BENCHMARK_FILE, exact
from ncorouting.llm.tasks.describe import describe
from ncorouting.llm.tasks.generate import generate_instance
from ncorouting.llm.tasks.types import TASK_TYPES, TaskType

METHOD = "exact: subset dynamic programming with min-max partition (ncorouting/llm/tasks/exact.py)"
#: A constraint's field (and the fields removed with it) that must raise the optimum when dropped.
BINDING = {
    "precedence": ("precedence",),
    "time_windows": ("time_windows",),
    "energy_budget": ("energy_budget",),
    "robot_colours": ("robot_colours", "city_colours"),
}
MAX_SEEDS = 200


def _optimum(instance: dict, key: str) -> float | None:
    try:
        return exact.solve(instance, key)["cost"]
    except ValueError:  # infeasible
        return None


def _energy_budget(instance: dict, key: str) -> int | None:
    """The smallest integer budget with a feasible answer, plus one unit of slack."""
    distances = exact.distance_matrix(instance)
    depots = instance["depots"]
    lower = math.ceil(max(min(distances[d][c] for d in depots) for c in range(len(distances)) if c not in depots))
    for budget in range(lower, lower + 30):
        if _optimum({**instance, "energy_budget": budget}, key) is not None:
            return budget + 1
    return None


def _binding(instance: dict, key: str, value: float) -> bool:
    """Whether dropping each distinguishing constraint present lowers the optimum."""
    for field, removed in BINDING.items():
        if field in instance:
            relaxed = {k: v for k, v in instance.items() if k not in removed}
            if _optimum(relaxed, key) >= value - 1e-9:
                return False
    return True


def build_task(task_type: TaskType, size: int) -> dict:
    """The first seed's task of `task_type` at `size` nodes that is feasible and binding."""
    for seed in range(MAX_SEEDS):
        seeds = [list(TASK_TYPES).index(task_type.key), size, seed]  # distinct streams per type and size
        instance = generate_instance(task_type, size, np.random.default_rng(seeds))
        if task_type.has("energy"):
            budget = _energy_budget(instance, task_type.key)
            if budget is None:
                continue
            instance["energy_budget"] = budget
        if _optimum(instance, task_type.key) is None:
            continue
        answer = exact.solve(instance, task_type.key)
        if not _binding(instance, task_type.key, answer["cost"]):
            continue
        description, constraints = describe(task_type, instance)
        return {
            "id": f"{task_type.key}-{size}",
            "type": task_type.key,
            "size": size,
            "seed": seeds,
            "description": description,
            "constraints": constraints,
            "instance": instance,
            "optimum": answer["cost"],
            "optimal_answer": answer,
            "optimum_method": METHOD,
        }
    raise RuntimeError(f"no feasible, binding instance of {task_type.key} at {size} nodes in {MAX_SEEDS} seeds")


def build_benchmark() -> dict:
    """Every task of the benchmark, in type order then size."""
    jobs = [(t, n) for t in TASK_TYPES.values() for n in t.sizes]
    tasks = [build_task(t, n) for t, n in tqdm(jobs, desc="tasks")]
    return {
        "about": 'Our text-to-code benchmark after "From Words to Routes" (Huang et al., 2024): 21 task types.',
        "generated_by": "python -m ncorouting.llm.tasks.build",
        "tasks": tasks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BENCHMARK_FILE)
    args = parser.parse_args()
    args.out.write_text(json.dumps(build_benchmark(), indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
