"""The paper's metrics over trials of a task: feasibility rate, optimality rate (optimum / cost rounded to
two decimals equals 1.00) and efficiency (mean of optimum / cost rounded to two decimals, an infeasible
trial counting 0), each judged by our checker on the program accepted at a given round."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ncorouting.llm.checkers import Judgement


def ratio(optimum: float | None, judgement: Judgement | None) -> float | None:
    """optimum / cost rounded to two decimals; 0 when infeasible; None when the optimum is unknown."""
    if judgement is None or not judgement.feasible:
        return 0.0
    if optimum is None or not judgement.cost:
        return None
    return round(optimum / judgement.cost, 2)


@dataclass(frozen=True)
class Scores:
    """Rates over trials in [0, 1]; optimality and efficiency are None without a known optimum."""

    feasibility: float
    optimality: float | None
    efficiency: float | None
    trials: int


def score(optimum: float | None, judgements: Sequence[Judgement | None]) -> Scores:
    """Feasibility, optimality and efficiency of trials of one task."""
    if not judgements:
        raise ValueError("no trials to score")
    feasible = [j is not None and j.feasible for j in judgements]
    ratios = [ratio(optimum, j) for j in judgements]
    if optimum is None:
        return Scores(sum(feasible) / len(feasible), None, None, len(judgements))
    return Scores(
        feasibility=sum(feasible) / len(feasible),
        optimality=sum(r == 1.0 for r in ratios) / len(ratios),
        efficiency=sum(ratios) / len(ratios),
        trials=len(judgements),
    )


def mean_scores(scores: Sequence[Scores]) -> Scores:
    """The average over tasks (the paper averages rates over task types)."""
    known = [s for s in scores if s.optimality is not None]
    return Scores(
        feasibility=sum(s.feasibility for s in scores) / len(scores),
        optimality=sum(s.optimality for s in known) / len(known) if known else None,
        efficiency=sum(s.efficiency for s in known) / len(known) if known else None,
        trials=sum(s.trials for s in scores),
    )
