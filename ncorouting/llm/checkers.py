"""Our verdict on a generated program's answer: the reported tours checked against every constraint of
the task and the objective recomputed from them. The program's own cost and the LLM's own verification
never decide; these checkers do. Routing pieces come from `ncorouting.checking` where they apply."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ncorouting.checking import fleet_errors, schedule_errors, visit_errors
from ncorouting.instance import Instance, Vehicle, distances_from_coords
from ncorouting.llm.tasks import Task
from ncorouting.llm.tasks.types import TaskType
from ncorouting.solution import Solution

#: Relative (and absolute, for tiny costs) slack between the reported and the recomputed objective.
COST_TOLERANCE = 0.01
Tours = list[list[int]]


@dataclass(frozen=True)
class Violation:
    """One broken constraint, by name (e.g. "precedence"), with what was seen."""

    constraint: str
    detail: str

    def __str__(self) -> str:
        return f"{self.constraint}: {self.detail}"


@dataclass(frozen=True)
class Judgement:
    """Feasible or not, with every violation found, the recomputed objective and the reported one."""

    feasible: bool
    cost: float | None
    reported_cost: float | None
    violations: tuple[Violation, ...] = ()

    @property
    def constraints(self) -> list[str]:
        """Names of the broken constraints, in the order found."""
        return [v.constraint for v in self.violations]

    @property
    def reason(self) -> str | None:
        return "; ".join(map(str, self.violations)) or None


def _fail(*violations: Violation, cost: float | None = None, reported: float | None = None) -> Judgement:
    return Judgement(False, cost, reported, tuple(violations))


def read_answer(output: object, robots: int | None, num_nodes: int) -> tuple[Tours, float, Violation | None]:
    """The tours and reported cost of the declared output form, or the format violation."""
    if not isinstance(output, dict) or "tours" not in output or "cost" not in output:
        return [], math.nan, Violation("format", 'the answer must be a JSON object with "tours" and "cost"')
    tours, cost = output["tours"], output["cost"]
    if isinstance(cost, bool) or not isinstance(cost, int | float) or not math.isfinite(cost):
        return [], math.nan, Violation("format", f'"cost" must be a finite number, got {cost!r}')
    if not isinstance(tours, list) or not all(isinstance(t, list) and len(t) >= 2 for t in tours):
        return [], cost, Violation("format", '"tours" must be a list of tours, each a list of at least two nodes')
    for k, tour in enumerate(tours):
        for v in tour:
            if isinstance(v, bool) or not isinstance(v, int | float) or not float(v).is_integer():
                return [], cost, Violation("nodes", f"tour {k} holds {v!r}, not a city number")
            if not 0 <= v < num_nodes:
                return [], cost, Violation("nodes", f"tour {k} visits city {v}, outside 0..{num_nodes - 1}")
    if robots is not None and len(tours) != robots:
        return [], cost, Violation("robots", f"{robots} tour(s) expected, one per robot; got {len(tours)}")
    return [[int(v) for v in t] for t in tours], float(cost), None


def _matrix(inst: dict) -> np.ndarray:
    if "distance_matrix" in inst:
        return np.asarray(inst["distance_matrix"], dtype=np.float64)
    return distances_from_coords(np.asarray(inst["coords"], dtype=np.float64), "EXACT_2D")


def _legs(d: np.ndarray, tour: list[int]) -> np.ndarray:
    return d[tour[:-1], tour[1:]]


def objective(t: TaskType, inst: dict, d: np.ndarray, tours: Tours) -> float:
    """The task's objective of the tours: tour cost, longest leg, or travel plus purchases; the worst robot
    for multi-robot types."""
    values = []
    for tour in tours:
        legs = _legs(d, tour)
        if t.objective == "bottleneck":
            values.append(float(legs.max()))
        elif t.has("purchase"):
            bought = sum(inst["stock"][v] * inst["price"][v] for v in set(tour))
            values.append(inst["travel_cost"] * float(legs.sum()) + bought)
        else:
            values.append(float(legs.sum()))
    return max(values)


def _starts_and_ends(t: TaskType, inst: dict, tours: Tours) -> str | None:
    depots = inst.get("depots", [0])
    for r, tour in enumerate(tours):
        start = depots[r] if t.has("depots") and t.robots > 1 else depots[0]
        if tour[0] != start:
            return f"tour {r} starts at city {tour[0]}, not at {'its depot' if t.robots > 1 else 'the depot'} {start}"
        if t.has("depots") and tour[-1] not in depots:
            return f"tour {r} ends at city {tour[-1]}, which is not a depot"
        if not t.has("depots") and tour[-1] != 0:
            return f"tour {r} ends at city {tour[-1]}, not back at the depot 0"
    return None


def _cities(inst: dict, tour: list[int]) -> list[int]:
    """The non-depot cities of a tour, in order."""
    depots = inst.get("depots", [0])
    return [v for v in tour if v not in depots]


def _robots_used(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    idle = [r for r, tour in enumerate(tours) if not _cities(inst, tour)]
    return f"robot {idle[0]} visits no city; every robot must be used" if idle else None


def _visits(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    n = d.shape[0]
    if t.has("matrix"):
        missing = sorted(set(range(1, n)) - {v for tour in tours for v in tour})
        return f"city {missing[0]} is never visited" if missing else None
    if t.has("depots"):
        counts = Counter(v for tour in tours for v in _cities(inst, tour))
        for city in sorted(set(range(n)) - set(inst["depots"])):
            if counts[city] != 1:
                return f"customer {city} is visited {counts[city]} times, not once"
        return None
    interiors = [tour[1:-1] for tour in tours]
    if t.has("groups") or t.has("k") or t.has("purchase"):  # a chosen subset: each at most once
        if any(0 in route for route in interiors):
            return "a tour passes through the depot before its end"
        twice = [v for v, c in Counter(v for r in interiors for v in r).items() if c > 1]
        return f"city {twice[0]} is visited more than once" if twice else None
    return visit_errors(interiors, n)


def _groups(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    visited = Counter(v for tour in tours for v in tour[1:-1])
    for k, group in enumerate(inst["groups"]):
        count = sum(visited[v] for v in group)
        if count != 1:
            return f"group {k} {group} has {count} visited cities, not exactly one"
    return None


def _selection(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    chosen = {v for tour in tours for v in tour[1:-1]} - {0}
    wanted = inst["k"] - 1
    return None if len(chosen) == wanted else f"{len(chosen)} cities besides the depot visited, not {wanted}"


def _precedence(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    where = {v: (r, i) for r, tour in enumerate(tours) for i, v in enumerate(tour)}
    for a, b in inst["precedence"]:
        if a not in where or b not in where:
            continue  # a missing city is the visits check's to report
        (ra, ia), (rb, ib) = where[a], where[b]
        if ra != rb:
            return f"cities {a} and {b} must be on the same tour (tours {ra} and {rb})"
        if ia > ib:
            return f"city {a} must come before city {b} on tour {ra}"
    return None


def _time_windows(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    windows = Instance("tsp", d, time_windows=np.asarray(inst["time_windows"], dtype=np.float64), name="task")
    return schedule_errors(windows, [tour[1:-1] for tour in tours], None)


def _purchase(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    bought = [sum(inst["stock"][v] for v in set(tour[1:-1])) for tour in tours]
    if sum(bought) < inst["demand"]:
        return f"{sum(bought)} units bought in total, fewer than the demand {inst['demand']}"
    return None


def _capacity(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    for r, tour in enumerate(tours):
        load = sum(inst["stock"][v] for v in set(tour[1:-1]))
        if load > inst["capacity"][r]:
            return f"robot {r} carries {load} units, over its capacity {inst['capacity'][r]}"
    return None


def _depots_visited(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    missing = sorted(set(inst["depots"]) - {v for tour in tours for v in tour})
    return f"depot {missing[0]} is never visited" if missing else None


def _energy(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    budget = inst["energy_budget"]
    for r, tour in enumerate(tours):
        used = 0.0
        for a, b in zip(tour, tour[1:], strict=False):
            used += d[a, b]
            if used > budget + 1e-9:
                return f"tour {r} uses {used:.3f} energy on reaching city {b}, over the budget {budget}"
            if b in inst["depots"]:
                used = 0.0
    return None


def _colours(t: TaskType, inst: dict, tours: Tours, d: np.ndarray) -> str | None:
    robots = inst["robot_colours"]
    allowed = {v: [r for r, c in enumerate(robots) if c in inst["city_colours"][v]] for v in range(1, d.shape[0])}
    fleet = [Vehicle(capacity=float(d.shape[0]))] * len(robots)
    coloured = Instance("tsp", d, fleet=fleet, allowed_vehicles=allowed, name="task")
    return fleet_errors(coloured, [tour[1:-1] for tour in tours], list(range(len(tours))))


Check = Callable[[TaskType, dict, Tours, np.ndarray], "str | None"]
#: (constraint name, applies to the type, check), in reporting order.
CHECKS: list[tuple[str, Callable[[TaskType], bool], Check]] = [
    ("endpoints", lambda t: True, lambda t, inst, tours, d: _starts_and_ends(t, inst, tours)),
    ("idle robot", lambda t: t.robots > 1, _robots_used),
    ("visits", lambda t: True, _visits),
    ("groups", lambda t: t.has("groups"), _groups),
    ("selection", lambda t: t.has("k"), _selection),
    ("precedence", lambda t: t.has("precedence"), _precedence),
    ("time windows", lambda t: t.has("windows"), _time_windows),
    ("demand", lambda t: t.has("purchase"), _purchase),
    ("capacity", lambda t: t.has("purchase") and t.robots > 1, _capacity),
    ("depots", lambda t: t.has("depots") and t.robots == 1, _depots_visited),
    ("energy", lambda t: t.has("energy"), _energy),
    ("colours", lambda t: t.has("colours"), _colours),
]


def _cost_violation(cost: float, reported: float) -> Violation | None:
    if abs(reported - cost) <= COST_TOLERANCE * max(abs(cost), 1.0):
        return None
    return Violation("cost", f"reported cost {reported:g} differs from the recomputed {cost:g}")


def judge_typed(t: TaskType, inst: dict, output: object) -> Judgement:
    """Check an answer to a benchmark-type task: every applicable constraint, then the reported cost."""
    d = _matrix(inst)
    tours, reported, bad = read_answer(output, int(inst.get("robots", 1)), d.shape[0])
    if bad is not None:
        return _fail(bad, reported=None if math.isnan(reported) else reported)
    found = [
        Violation(name, msg) for name, applies, check in CHECKS if applies(t) and (msg := check(t, inst, tours, d))
    ]
    if found:
        return _fail(*found, reported=reported)
    cost = objective(t, inst, d, tours)
    wrong = _cost_violation(cost, reported)
    return _fail(wrong, cost=cost, reported=reported) if wrong else Judgement(True, cost, reported)


def judge_routing(instance: Instance, output: object) -> Judgement:
    """Check an answer to an ncorouting instance with its problem's one checker (`Solution.from_routes`):
    tours run depot to depot; an optional "vehicles" list gives each tour's fleet vehicle."""
    tours, reported, bad = read_answer(output, None, instance.num_nodes)
    if bad is not None:
        return _fail(bad)
    ends = [k for k, tour in enumerate(tours) if tour[0] != 0 or tour[-1] != 0]
    if ends:
        return _fail(Violation("endpoints", f"tour {ends[0]} must start and end at the depot 0"), reported=reported)
    vehicles = output.get("vehicles") if isinstance(output, dict) else None
    solution = Solution.from_routes(instance, [t[1:-1] for t in tours], "generated program", 0.0, vehicles)
    if not solution.feasible:
        return _fail(Violation("routes", solution.reason or "infeasible"), reported=reported)
    wrong = _cost_violation(solution.cost, reported)
    return _fail(wrong, cost=solution.cost, reported=reported) if wrong else Judgement(True, solution.cost, reported)


def judge(task: Task, output: object) -> Judgement:
    """Our verdict on `output` (the program's parsed answer) for `task`."""
    if task.task_type is not None:
        return judge_typed(task.task_type, task.instance, output)
    if task.routing_instance is not None:
        return judge_routing(task.routing_instance, output)
    raise ValueError(f"task {task.id} has neither a benchmark type nor a routing instance: nothing can judge it")


__all__ = ["COST_TOLERANCE", "Judgement", "Violation", "judge", "judge_routing", "judge_typed", "objective"]
