"""Rule-based edge intentions (RouteExplainer's annotator, written from the paper's description).

For edge t of a route, with the route's first t clients fixed: the candidates are the clients this
vehicle could still visit next (not yet on the route, fitting the remaining capacity, reachable in
their windows and back by the horizon, allowed for the vehicle). Relaxed problems are solved over
them in order (no capacity and no windows: a shortest path; then capacity only); the first whose next
node equals the actual one names the intention, else the last class. Other routes' clients count as
candidates: vehicles run in parallel, so the labels do not depend on the order routes are listed in.
A return to the depot with no candidate left while clients remain is labelled by the constraint that
excludes them (time window when some would fit the load, else capacity).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ncorouting.errors import InputError
from ncorouting.explain.relaxed import RELAXED_ITERATIONS, cvrp_next, tsp_next
from ncorouting.explain.schedule import reachable
from ncorouting.instance import Instance
from ncorouting.solution import Solution

#: Intention classes per problem, in the annotator's order (the relaxations drop constraints in turn).
INTENTIONS: dict[str, tuple[str, ...]] = {
    "tsp": ("length",),
    "atsp": ("length",),
    "cvrp": ("length", "capacity"),
    "cvrptw": ("length", "capacity", "time window"),
    "acvrp": ("length", "capacity"),
    "acvrptw": ("length", "capacity", "time window"),
}


def solves_capacity_relaxation(problem: str) -> bool:
    """Whether the annotator solves a capacity-only relaxation for this problem (capacity is a class between
    length and the last one); unknown problems have none."""
    return "capacity" in INTENTIONS.get(problem, ())[1:-1]


def intention_classes(problem: str) -> tuple[str, ...]:
    """The intention classes of a problem's edges."""
    try:
        return INTENTIONS[problem]
    except KeyError:
        raise InputError(f"no edge intentions are defined for problem '{problem}'") from None


class RuleAnnotator:
    """Labels every edge of a solution by re-solving relaxed problems (exact but solver-bound)."""

    name = "rules"

    def __init__(self, relaxed_iterations: int = RELAXED_ITERATIONS):
        self.relaxed_iterations = relaxed_iterations

    @property
    def settings(self) -> dict:
        """What decides its labels; stored with every dataset it labels, so shards of other labels never mix."""
        return {"capacity_relaxation": "pyvrp", "iterations": self.relaxed_iterations}

    def annotate(self, solution: Solution) -> list[list[str]]:
        """One label per edge of each route (depot -> first client ... last client -> depot)."""
        vehicles = solution.vehicles or [None] * len(solution.routes)
        return [self.annotate_route(solution.instance, r, v) for r, v in zip(solution.routes, vehicles, strict=True)]

    def annotate_many(self, solutions: Sequence[Solution]) -> list[list[list[str]]]:
        """`annotate` for each solution."""
        return [self.annotate(s) for s in solutions]

    def annotate_route(self, instance: Instance, route: Sequence[int], vehicle: int | None = None) -> list[str]:
        """Labels of the route's len(route) + 1 edges."""
        classes = intention_classes(instance.problem)
        clients = np.arange(1, instance.num_nodes)
        labels = []
        for t in range(len(route) + 1):
            prefix = list(route[:t])
            nxt = route[t] if t < len(route) else 0
            unserved = clients[~np.isin(clients, prefix)]
            reach = reachable(instance, prefix, unserved, vehicle)
            candidates = unserved[reach.feasible].tolist()
            if not candidates:
                labels.append(self._forced_return(classes, unserved, reach))
            else:
                labels.append(self._first_relaxation(instance, classes, prefix, candidates, nxt, vehicle))
        return labels

    @staticmethod
    def _forced_return(classes: tuple[str, ...], unserved: np.ndarray, reach) -> str:
        if unserved.size == 0:
            return classes[0]
        if "time window" in classes and bool((reach.fits & reach.allowed & ~reach.in_time).any()):
            return "time window"
        return "capacity" if "capacity" in classes else classes[-1]

    def _first_relaxation(
        self, instance: Instance, classes: tuple[str, ...], prefix: list[int], candidates: list[int], nxt: int, vehicle
    ) -> str:
        here = prefix[-1] if prefix else 0
        if nxt in tsp_next(instance, here, candidates):
            return classes[0]
        if solves_capacity_relaxation(instance.problem):
            if nxt in cvrp_next(instance, prefix, candidates, vehicle, self.relaxed_iterations):
                return "capacity"
        return classes[-1]
