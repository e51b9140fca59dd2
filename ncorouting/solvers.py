"""One interface for every solver, neural or classical: instances in, checked `Solution`s out."""

from __future__ import annotations

import multiprocessing
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from tqdm import tqdm

from ncorouting.errors import InputError, UnknownNameError
from ncorouting.instance import Instance
from ncorouting.solution import Solution


class Solver(ABC):
    """A solver maps instances to routes; this base times it and has every result checked."""

    name: str = "solver"
    problems: tuple[str, ...] = ()
    #: Whether the solver honours an instance's fleet, time windows, allowed vehicles and prefixes.
    side_constraints: bool = False

    def supports(self, instance: Instance) -> str | None:
        """Why this solver cannot take `instance` (None when it can); never silently drop a constraint."""
        if instance.problem not in self.problems:
            handled = ", ".join(self.problems)
            return f"solver '{self.name}' does not handle problem '{instance.problem}' (it handles {handled})"
        if instance.has_side_constraints and not self.side_constraints:
            return f"solver '{self.name}' does not handle fleets, time windows, allowed vehicles or route prefixes"
        return None

    def _require(self, instance: Instance) -> None:
        reason = self.supports(instance)
        if reason is not None:
            raise InputError(reason, source=instance.source or instance.name)

    @abstractmethod
    def _solve(
        self, instance: Instance, time_limit: float | None, seed: int
    ) -> tuple[list[list[int]], list[int] | None]:
        """Routes of clients for one instance (depot 0 implicit), and the fleet index of each route
        (None without a fleet)."""

    def solve(self, instance: Instance, time_limit: float | None = None, seed: int = 0) -> Solution:
        """Solve one instance; wall time measured around the solver alone, cost recomputed by the checker."""
        self._require(instance)
        start = time.perf_counter()
        routes, vehicles = self._solve(instance, time_limit, seed)
        return Solution.from_routes(instance, routes, self.name, time.perf_counter() - start, vehicles)

    def solve_many(
        self,
        instances: Sequence[Instance],
        time_limit: float | None = None,
        seed: int = 0,
        workers: int = 1,
        progress: bool = False,
    ) -> list[Solution]:
        """Solve several instances over `workers` processes (0: one per core), in input order.

        Each solution's time is measured in its worker around the solver alone, as in `solve`.
        """
        for inst in instances:
            self._require(inst)
        workers = (os.cpu_count() or 1) if workers == 0 else workers
        bar = tqdm(total=len(instances), desc=self.name, disable=not progress)
        solutions: list[Solution | None] = [None] * len(instances)
        if workers <= 1 or len(instances) <= 1:
            for i, inst in enumerate(instances):
                solutions[i] = self.solve(inst, time_limit, seed)
                bar.update()
        else:  # spawn, not fork: the parent may hold torch's thread pools
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = {pool.submit(self.solve, inst, time_limit, seed): i for i, inst in enumerate(instances)}
                for future in as_completed(futures):
                    solutions[futures[future]] = future.result()
                    bar.update()
        bar.close()
        return solutions


def _ortools(**options) -> Solver:
    from ncorouting.baselines.ortools import OrToolsSolver

    return OrToolsSolver(**options)


def _lkh(**options) -> Solver:
    from ncorouting.baselines.lkh import LKHSolver

    return LKHSolver(**options)


def _hgs(**options) -> Solver:
    from ncorouting.baselines.pyvrp_hgs import PyVRPSolver

    return PyVRPSolver(**options)


def _bq(**options) -> Solver:
    from ncorouting.models.bq.solver import BQSolver

    return BQSolver(**options)


def _neural(model: str) -> Callable[..., Solver]:
    def factory(**options) -> Solver:
        from ncorouting.models.inference import NeuralSolver

        return NeuralSolver(model=model, **options)

    return factory


def _pvrp_neural(model: str) -> Callable[..., Solver]:
    def factory(**options) -> Solver:
        from ncorouting.models.camp.solver import PVRPNeuralSolver

        return PVRPNeuralSolver(model=model, **options)

    return factory


def _aco(model: str) -> Callable[..., Solver]:
    def factory(**options) -> Solver:
        from ncorouting.models.aco.solver import AcoSolver

        return AcoSolver(model=model, **options)

    return factory


def _matrix_neural(model: str) -> Callable[..., Solver]:
    def factory(**options) -> Solver:
        from ncorouting.models.rrnco.inference import MatrixPolicySolver

        return MatrixPolicySolver(model=model, **options)

    return factory


def _nearest(**options) -> Solver:
    from ncorouting.envs.pvrp.nearest import NearestNeighbourSolver

    return NearestNeighbourSolver(**options)


#: rl4co's constructive policies on coordinates (`NeuralSolver`): they take test-time search.
SEARCH_MODELS = ("pomo", "am", "symnco")
#: Every learned solver: these take a policy file (`--checkpoint`) and a torch device.
NEURAL = (*SEARCH_MODELS, "bq", "camp", "seq_am", "deepaco", "gfacs", "rrnco", "matnet")

SOLVERS: dict[str, Callable[..., Solver]] = {
    "ortools": _ortools,
    "lkh": _lkh,
    "hgs": _hgs,
    **{model: _neural(model) for model in SEARCH_MODELS},
    "bq": _bq,
    "camp": _pvrp_neural("camp"),
    "seq_am": _pvrp_neural("seq_am"),
    "nearest": _nearest,
    "deepaco": _aco("deepaco"),
    "gfacs": _aco("gfacs"),
    "rrnco": _matrix_neural("rrnco"),
    "matnet": _matrix_neural("matnet"),
}


def get_solver(name: str, **options) -> Solver:
    """Build the solver registered under `name` with its options."""
    try:
        factory = SOLVERS[name]
    except KeyError:
        raise UnknownNameError("solver", name, list(SOLVERS)) from None
    try:
        return factory(**options)
    except TypeError as err:  # an option the solver's constructor does not take
        raise InputError(f"solver '{name}' does not take the option(s) {sorted(options)}: {err}") from None
