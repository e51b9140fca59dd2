"""The `Solution` type: routes judged by the problem's one checker, with the cost recomputed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ncorouting.instance import Instance
from ncorouting.registry import get_problem

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass
class Solution:
    """Routes of clients (depot 0 implicit at both ends), their cost and feasibility; `vehicles`
    gives the fleet index of each route when the instance has a fleet.

    Build it with `Solution.from_routes`: the cost is always recomputed from the routes by the
    problem's checker, never taken from a solver.
    """

    instance: Instance
    routes: list[list[int]]
    cost: float
    feasible: bool
    reason: str | None
    solver: str
    runtime: float
    vehicles: list[int] | None = None
    #: What a user should know about how it was found (e.g. a policy trained on another size).
    notes: list[str] = field(default_factory=list)
    #: The checker's named parts of the cost, e.g. PVRP's travel_time and preference.
    terms: dict[str, float] | None = None

    @classmethod
    def from_routes(
        cls,
        instance: Instance,
        routes: Sequence[Sequence[int]],
        solver: str,
        runtime: float,
        vehicles: Sequence[int] | None = None,
    ) -> Solution:
        """Check `routes` (driven by `vehicles`, for a fleet) on `instance`; return the judged solution."""
        result = get_problem(instance.problem).check(instance, routes, vehicles)
        clean = [[int(v) for v in r] for r in routes]
        fleet = None if vehicles is None else [int(v) for v in vehicles]
        return cls(
            instance, clean, result.cost, result.feasible, result.reason, solver, runtime, fleet, terms=result.terms
        )

    @property
    def optimum_conflict(self) -> bool:
        """True when a feasible solution beats a table optimum: the file is not the published instance."""
        best = self.instance.known_optimum
        return (
            best is not None
            and self.feasible
            and (self.instance.optimum_source or "").startswith("table")
            and self.cost < best * (1 - 1e-9) - 1e-9
        )

    @property
    def gap(self) -> float | None:
        """Percentage above the instance's known optimum (None when unknown, infeasible, or a table
        optimum that this solution beats: then the table does not describe this instance)."""
        best = self.instance.known_optimum
        if best is None or not self.feasible or best == 0 or self.optimum_conflict:
            return None
        return 100.0 * (self.cost - best) / best

    def summary(self) -> dict:
        """A flat record for tables and JSON."""
        gap = self.gap
        return {
            "instance": self.instance.name,
            "solver": self.solver,
            "cost": None if math.isnan(self.cost) else self.cost,
            "feasible": self.feasible,
            "reason": self.reason,
            "routes": len(self.routes),
            "time_s": self.runtime,
            "optimum": self.instance.known_optimum,
            "optimum_source": self.instance.optimum_source,
            "gap_pct": gap,
            **(self.terms or {}),
        }

    def plot(self, ax: Axes | None = None, path: str | Path | None = None) -> Axes:
        """Draw the routes on the instance's coordinates; save a PNG when `path` is given."""
        from ncorouting.plotting import plot_solution

        return plot_solution(self, ax=ax, path=path)
