"""The text-to-code benchmark: 21 task types after "From Words to Routes", each task a description, an
instance file and an optimum from our exact solver (`benchmark.json`, built by `tasks/build.py`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ncorouting.errors import InputError
from ncorouting.instance import Instance
from ncorouting.llm.tasks import exact
from ncorouting.llm.tasks.describe import ROUTING_FIELD_DOCS, instance_format
from ncorouting.llm.tasks.types import TASK_TYPES, TaskType, get_task_type

BENCHMARK_FILE = Path(__file__).with_name("benchmark.json")


@dataclass(frozen=True)
class Task:
    """One routing task in words with its instance; `task_type` None for a user's own task, which our
    benchmark checker cannot judge (an ncorouting instance is judged by its problem's checker instead)."""

    id: str
    description: str
    instance: dict
    task_type: TaskType | None = None
    constraints: tuple[str, ...] = ()
    optimum: float | None = None
    optimum_method: str | None = None
    routing_instance: Instance | None = None
    extra: dict = field(default_factory=dict)

    @property
    def instance_format(self) -> str:
        """The instance file's fields as the prompts show them."""
        return instance_format(self.instance, ROUTING_FIELD_DOCS if self.routing_instance is not None else None)

    @property
    def setting(self) -> str:
        """The paper's evaluation setting: single-5, single-10 or multi-10."""
        size = self.extra.get("size", "?")
        return f"{'single' if self.task_type is None or self.task_type.robots == 1 else 'multi'}-{size}"


def reference_program(task_type: str) -> str:
    """The reference program of a task type: our exact solver (standard library only) as a standalone
    program in the declared form, run in the sandbox exactly like generated code."""
    get_task_type(task_type)
    source = Path(exact.__file__).read_text()
    solver = source[: source.index('\nif __name__ == "__main__":')]
    return (
        f"{solver}\n\n"
        'if __name__ == "__main__":\n'
        "    with open(sys.argv[1]) as handle:\n"
        f"        print(json.dumps(solve(json.load(handle), {task_type!r})))\n"
    )


def load_benchmark(
    types: list[str] | None = None, sizes: list[int] | None = None, path: Path = BENCHMARK_FILE
) -> list[Task]:
    """The benchmark's tasks, optionally only some types (keys) and sizes (node counts)."""
    for key in types or []:
        get_task_type(key)
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the benchmark file: {exc}", source=str(path)) from None
    tasks = [
        Task(
            id=entry["id"],
            description=entry["description"],
            instance=entry["instance"],
            task_type=TASK_TYPES[entry["type"]],
            constraints=tuple(entry["constraints"]),
            optimum=entry["optimum"],
            optimum_method=entry["optimum_method"],
            extra={"size": entry["size"], "seed": entry["seed"], "optimal_answer": entry["optimal_answer"]},
        )
        for entry in doc["tasks"]
        if (not types or entry["type"] in types) and (not sizes or entry["size"] in sizes)
    ]
    if not tasks:
        raise InputError(f"no benchmark task matches types {types} and sizes {sizes}", source=str(path))
    return tasks


__all__ = ["BENCHMARK_FILE", "TASK_TYPES", "Task", "TaskType", "get_task_type", "load_benchmark", "reference_program"]
