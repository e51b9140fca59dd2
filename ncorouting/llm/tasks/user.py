"""A user's own task for `ncorouting text2code`: their words plus an instance file our checkers can judge,
either a task of one of the 21 types (a JSON object with "type" and that type's fields) or an ncorouting
instance (TSPLIB, CVRPLIB, or our JSON with "problem"), judged by its problem's one checker."""

from __future__ import annotations

from pathlib import Path

from ncorouting.errors import InputError
from ncorouting.io import read_instance
from ncorouting.io.json_files import instance_to_dict, read_json_document
from ncorouting.llm.tasks import Task, exact
from ncorouting.llm.tasks.types import TaskType, get_task_type

#: Largest typed task whose optimum we compute on the spot with the exact solver (it is exponential).
EXACT_MAX_NODES = 11
PER_CITY = ("time_windows", "stock", "price", "city_colours")


def _check_fields(t: TaskType, doc: dict, source: str) -> None:
    """Every field the type needs, with per-city and per-robot lists of the right length."""
    for name in t.fields:
        if name not in doc:
            raise InputError(f"a '{t.key}' task needs the field '{name}'", source=source)
    base = doc["distance_matrix"] if t.has("matrix") else doc["coords"]
    if not isinstance(base, list) or len(base) < 2 or not all(isinstance(row, list) for row in base):
        raise InputError("'coords' / 'distance_matrix' must be a list of lists with at least 2 entries", source=source)
    n = len(base)
    for name in PER_CITY:
        if name in doc and (not isinstance(doc[name], list) or len(doc[name]) != n):
            raise InputError(f"field '{name}' must have one entry per city ({n})", source=source)
    robots = doc.get("robots", 1)
    if not isinstance(robots, int) or robots < 1:
        raise InputError(f"field 'robots' must be a positive integer, got {robots!r}", source=source)
    for name in ("capacity", "robot_colours"):
        if name in doc and (not isinstance(doc[name], list) or len(doc[name]) != robots):
            raise InputError(f"field '{name}' must have one entry per robot ({robots})", source=source)
    if "depots" in doc and (not isinstance(doc["depots"], list) or len(doc["depots"]) < max(robots, 1)):
        raise InputError(f"field 'depots' must list at least one depot per robot ({robots})", source=source)


def _typed_task(description: str, doc: dict, source: str) -> Task:
    t = get_task_type(str(doc["type"]))
    fields = {k: v for k, v in doc.items() if k != "type"}
    _check_fields(t, fields, source)
    size = len(fields["distance_matrix"] if t.has("matrix") else fields["coords"])
    optimum, method = None, None
    if size <= EXACT_MAX_NODES:
        try:
            optimum, method = exact.solve(fields, t.key)["cost"], "exact (ncorouting/llm/tasks/exact.py)"
        except ValueError:
            raise InputError(f"this '{t.key}' instance has no feasible solution", source=source) from None
        except (KeyError, TypeError, IndexError) as exc:
            raise InputError(f"malformed '{t.key}' instance: {exc!r}", source=source) from None
    return Task(Path(source).stem, description, fields, t, optimum=optimum, optimum_method=method, extra={"size": size})


def user_task(description: str, path: str | Path) -> Task:
    """The task `description` on the instance file at `path`, with the checker that will judge it."""
    path = Path(path)
    if not description.strip():
        raise InputError("the task description is empty")
    if path.suffix.lower() != ".json":
        instance = read_instance(path)  # TSPLIB / CVRPLIB (read_instance names a bad suffix)
        return Task(path.stem, description, instance_to_dict(instance), routing_instance=instance)
    doc = read_json_document(path)
    if isinstance(doc, dict) and "type" in doc:
        return _typed_task(description, doc, str(path))
    if isinstance(doc, dict) and "problem" in doc:
        return Task(path.stem, description, doc, routing_instance=read_instance(path))
    raise InputError(
        'the instance needs "type" (one of the text-to-code task types) or "problem" (an ncorouting instance) '
        "so that our checkers can judge the answer",
        source=str(path),
    )
