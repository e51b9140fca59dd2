"""One registry from problem names to their checker and environment, so every part agrees."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ncorouting.checking import CheckResult
from ncorouting.envs.cvrp.checker import check_cvrp
from ncorouting.envs.cvrptw.checker import check_cvrptw
from ncorouting.envs.pvrp.checker import check_pvrp
from ncorouting.envs.pvrp.costs import regret_offset
from ncorouting.envs.tsp.checker import check_tsp
from ncorouting.errors import UnknownNameError
from ncorouting.instance import Instance


@dataclass(frozen=True)
class ProblemSpec:
    """What the suite knows of one problem: its checker, its RL environment and its file suffix."""

    name: str
    description: str
    check: Callable[[Instance, Sequence[Sequence[int]], Sequence[int] | None], CheckResult]
    env_name: str | None  # name for ncorouting.envs.get_env_class; None when no neural env exists yet
    solution_suffix: str
    #: Added to a reference cost to form the denominator of a gap in % (PVRP-P: its cost can be <= 0).
    gap_offset: Callable[[Instance], float] = lambda instance: 0.0  # noqa: E731


PROBLEMS: dict[str, ProblemSpec] = {
    "tsp": ProblemSpec("tsp", "symmetric travelling salesman", check_tsp, "tsp", ".tour"),
    "atsp": ProblemSpec("atsp", "asymmetric travelling salesman", check_tsp, "atsp", ".tour"),
    "cvrp": ProblemSpec("cvrp", "capacitated vehicle routing", check_cvrp, "cvrp", ".sol"),
    "cvrptw": ProblemSpec("cvrptw", "capacitated vehicle routing with time windows", check_cvrptw, "cvrptw", ".sol"),
    "pvrp_p": ProblemSpec(
        "pvrp_p", "profiled vehicle routing with preferences", check_pvrp, "pvrp_p", ".json", regret_offset
    ),
    "pvrp_zc": ProblemSpec("pvrp_zc", "profiled vehicle routing with zone constraints", check_pvrp, "pvrp_zc", ".json"),
    "acvrp": ProblemSpec("acvrp", "capacitated vehicle routing on road matrices", check_cvrp, "acvrp", ".sol"),
    "acvrptw": ProblemSpec(
        "acvrptw", "capacitated vehicle routing with time windows on road matrices", check_cvrptw, "acvrptw", ".sol"
    ),
}


def get_problem(name: str) -> ProblemSpec:
    """The spec of a problem by name; a clear error listing the known names otherwise."""
    try:
        return PROBLEMS[name.lower()]
    except KeyError:
        raise UnknownNameError("problem", name, list(PROBLEMS)) from None
