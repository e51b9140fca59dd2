"""The explanation's facts: representative values of the actual and the counterfactual solution
around the questioned edge, and their differences (RouteExplainer's edge influence, as numbers).

Short term: the edge's own cost and, with time windows, when service starts at its head. Long term:
total cost. Constraint outcomes: routes (trips) used, waiting, lateness, clients left unserved.
Intentions: every edge's label, and the share of each label among the questioned route's edges from
the questioned step on.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field

from ncorouting.checking import route_distance
from ncorouting.explain.question import Question, route_vehicle, unserved
from ncorouting.explain.schedule import route_times
from ncorouting.solution import Solution


@dataclass(frozen=True)
class EdgeFacts:
    """One edge: its ends, its cost, when service starts at its head (None without windows), its intention."""

    source: int
    target: int
    cost: float
    arrival: float | None
    intention: str | None


@dataclass(frozen=True)
class SolutionFacts:
    """Representative values of one solution for the question."""

    solver: str
    total_cost: float
    num_routes: int
    route: list[int]
    route_cost: float
    route_return: float | None
    waiting: float | None
    lateness: float | None
    unserved: list[int]
    edge: EdgeFacts
    later_intentions: dict[str, float]
    intentions: list[list[str]] | None = None


#: Values compared between the two solutions, as (name, SolutionFacts attribute or edge attribute).
COMPARED = (
    ("edge_cost", "edge.cost"),
    ("edge_arrival", "edge.arrival"),
    ("total_cost", "total_cost"),
    ("route_cost", "route_cost"),
    ("routes", "num_routes"),
    ("route_return", "route_return"),
    ("waiting", "waiting"),
    ("unserved", "unserved"),
)


def _value(facts: SolutionFacts, path: str) -> float | None:
    value = facts
    for part in path.split("."):
        value = getattr(value, part)
    return float(len(value)) if isinstance(value, list) else value


@dataclass(frozen=True)
class Facts:
    """Everything an explanation says, as numbers: the question, both solutions' values, or the reason
    the alternative is impossible (then no counterfactual exists)."""

    problem: str
    instance: str
    question: Question
    actual: SolutionFacts
    counterfactual: SolutionFacts | None
    reason: str | None = None
    resolver: str | None = None
    resolver_seconds: float | None = None
    classes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def feasible(self) -> bool:
        """True when a counterfactual solution exists."""
        return self.counterfactual is not None

    @property
    def differences(self) -> dict[str, float]:
        """Counterfactual minus actual for each compared value both sides have (empty when infeasible)."""
        if self.counterfactual is None:
            return {}
        out = {}
        for name, path in COMPARED:
            a, b = _value(self.actual, path), _value(self.counterfactual, path)
            if a is not None and b is not None:
                out[name] = b - a
        return out

    def to_dict(self) -> dict:
        """A JSON-ready form (the LLM prompt and the CLI's facts file hold exactly this)."""
        doc = asdict(self)
        doc["differences"] = self.differences
        return doc


def solution_facts(
    solution: Solution, question: Question, intentions: list[list[str]] | None, edge_target: int
) -> SolutionFacts:
    """The values of `solution` for the questioned route and step (edge into `edge_target`)."""
    inst, r, t = solution.instance, question.route, question.step
    if r >= len(solution.routes) and inst.route_prefixes:  # a re-solve with fewer routes: the forced one
        r = next(
            k for k, rt in enumerate(solution.routes) if rt[: len(inst.route_prefixes[0])] == inst.route_prefixes[0]
        )
    route = solution.routes[r]
    vehicle = route_vehicle(solution, r)
    unit_cost = inst.vehicle(vehicle).cost_per_distance
    source = route[t - 1] if t > 0 else 0
    times = route_times(inst, route, vehicle)
    arrival = None
    if times is not None:
        arrival = float(times.starts[t]) if t < len(route) else float(times.back)
    all_times = [route_times(inst, rt, route_vehicle(solution, k)) for k, rt in enumerate(solution.routes)]
    timed = [x for x in all_times if x is not None]
    labels = intentions[r] if intentions is not None else None
    later = Counter(labels[t:]) if labels else Counter()
    total = sum(later.values())
    return SolutionFacts(
        solver=solution.solver,
        total_cost=float(solution.cost),
        num_routes=len(solution.routes),
        route=list(route),
        route_cost=unit_cost * route_distance(inst.distances, route),
        route_return=None if times is None else float(times.back),
        waiting=float(sum(x.waiting for x in timed)) if timed else None,
        lateness=float(sum(x.lateness for x in timed)) if timed else None,
        unserved=unserved(solution),
        edge=EdgeFacts(
            source, edge_target, unit_cost * float(inst.distances[source, edge_target]), arrival, labels and labels[t]
        ),
        later_intentions={k: v / total for k, v in sorted(later.items())} if total else {},
        intentions=intentions,
    )


def relative(difference: float, base: float) -> float:
    """`difference` as a percentage of `base` (nan for a zero base)."""
    return 100.0 * difference / base if base else math.nan
