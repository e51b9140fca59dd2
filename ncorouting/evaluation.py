"""Evaluation on a generated test set: a neural policy against a reference solver, same instances."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from tensordict import TensorDict
from tqdm import tqdm

from ncorouting.io.datasets import instances_from_batch
from ncorouting.models.inference import NeuralSolver, actions_to_routes
from ncorouting.solution import Solution
from ncorouting.solvers import Solver


@dataclass
class EvalResult:
    """Aggregate of one solver on a set of instances."""

    solver: str
    solutions: list[Solution]
    seconds: float

    @property
    def feasible_share(self) -> float:
        return float(np.mean([s.feasible for s in self.solutions]))

    @property
    def mean_cost(self) -> float:
        """Mean over feasible solutions only (an infeasible one is never averaged in)."""
        costs = [s.cost for s in self.solutions if s.feasible]
        return float(np.mean(costs)) if costs else math.nan

    @property
    def per_second(self) -> float:
        return len(self.solutions) / self.seconds if self.seconds > 0 else math.inf

    def head(self, count: int) -> EvalResult:
        """The first `count` solutions, with the wall time prorated (neural decoding is batched)."""
        return EvalResult(self.solver, self.solutions[:count], self.seconds * count / len(self.solutions))

    def gap_to(self, reference: EvalResult) -> float:
        """Mean per-instance gap (%) to `reference` over the instances both solved feasibly."""
        ref = {s.instance.name: s for s in reference.solutions if s.feasible}
        gaps = [
            100 * (s.cost - ref[s.instance.name].cost) / ref[s.instance.name].cost
            for s in self.solutions
            if s.feasible and s.instance.name in ref
        ]
        return float(np.mean(gaps)) if gaps else math.nan

    def row(self, reference: EvalResult | None = None, label: str | None = None) -> dict:
        return {
            "solver": label or self.solver,
            "instances": len(self.solutions),
            "mean_cost": self.mean_cost,
            "gap_pct": None if reference is None else self.gap_to(reference),
            "feasible_pct": 100 * self.feasible_share,
            "s_per_inst": self.seconds / len(self.solutions),
            "inst_per_s": self.per_second,
        }


def eval_neural(
    solver: NeuralSolver,
    problem: str,
    td: TensorDict,
    num_loc: int,
    name: str = "gen",
    time_limit: float | None = None,
) -> EvalResult:
    """Decode a whole generated batch (timed; with the solver's search, `time_limit` seconds per
    instance), then check every route set with the problem's checker."""
    solver.policy_for(problem, num_loc)
    start = time.perf_counter()
    actions, _ = solver.decode_batch(problem, td, num_loc, time_limit)
    seconds = time.perf_counter() - start
    instances = instances_from_batch(problem, td, name=name)
    share = seconds / len(instances)
    solutions = [
        Solution.from_routes(inst, actions_to_routes(problem, act.tolist()), solver.name, share)
        for inst, act in zip(instances, actions, strict=True)
    ]
    return EvalResult(solver.name, solutions, seconds)


def eval_solver(
    solver: Solver, problem: str, td: TensorDict, time_limit: float | None, name: str = "gen", progress: bool = True
) -> EvalResult:
    """Run a classical solver instance by instance over a generated batch, with a progress bar."""
    instances = instances_from_batch(problem, td, name=name)
    solutions = [solver.solve(inst, time_limit) for inst in tqdm(instances, desc=solver.name, disable=not progress)]
    return EvalResult(solver.name, solutions, sum(s.runtime for s in solutions))
