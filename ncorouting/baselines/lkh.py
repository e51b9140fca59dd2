"""LKH-3 baseline: the real program, through `elkai` (TSP/ATSP, in-process) and `LKHpy` (CVRP, in a
child process, because LKH calls exit() on input errors). Problems are written in LKH's own format
with integer-scaled weights; costs are recomputed from the routes by our checker.

LKH-3 (Keld Helsgaun) is free for academic and non-commercial use only.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import elkai._elkai as elkai_lkh  # elkai's public API hides RUNS/MAX_TRIALS/TIME_LIMIT/SEED
import numpy as np

from ncorouting.baselines.ortools import integer_scale
from ncorouting.envs.tsp.checker import tour_to_routes
from ncorouting.errors import SolverError
from ncorouting.instance import Instance
from ncorouting.solvers import Solver

#: Child-process entry: run LKHpy on a .par file and save the tour as .npy.
_CHILD = "import sys, numpy, LKHpy; numpy.save(sys.argv[2], numpy.asarray(LKHpy.par_file(sys.argv[1])))"


def _matrix_section(weights: np.ndarray) -> list[str]:
    return [
        "EDGE_WEIGHT_TYPE : EXPLICIT",
        "EDGE_WEIGHT_FORMAT : FULL_MATRIX",
        "EDGE_WEIGHT_SECTION",
        *(" ".join(map(str, row)) for row in weights),
    ]


def _parameters(problem_file: str, max_trials: int, runs: int, time_limit: float, seed: int) -> str:
    return "\n".join(
        [
            f"PROBLEM_FILE = {problem_file}",
            f"MAX_TRIALS = {max_trials}",
            f"RUNS = {runs}",
            f"TIME_LIMIT = {time_limit:.3f}",  # per run
            f"TOTAL_TIME_LIMIT = {time_limit:.3f}",  # over all runs: the solver's wall-time budget
            f"SEED = {seed + 1}",
            # our weights are already integer-scaled; LKH's default factor of 100 on top of them left
            # p43.atsp 1 unit above its optimum for every seed tried, and 1 reached it in about 4 s
            "PRECISION = 1",
            "TRACE_LEVEL = 0",
            "",
        ]
    )


def routes_from_depot_tour(tour: np.ndarray) -> list[list[int]]:
    """Split LKHpy's CVRP tour (depot copies returned as 0) into routes of clients."""
    routes, current = [], []
    for node in tour.tolist():
        if node == 0:
            if current:
                routes.append(current)
            current = []
        else:
            current.append(int(node))
    if current:
        routes.append(current)
    return routes


class LKHSolver(Solver):
    """LKH-3 for TSP, ATSP and CVRP under a time limit (LKH's TIME_LIMIT) and a trial cap."""

    name = "lkh"
    problems = ("tsp", "atsp", "cvrp")

    def __init__(self, default_time_limit: float = 1.0, max_trials: int | None = None, runs: int = 1):
        self.default_time_limit = default_time_limit
        self.max_trials = max_trials
        self.runs = runs

    def supports(self, instance: Instance) -> str | None:
        reason = super().supports(instance)
        if reason is None and instance.problem == "cvrp" and importlib.util.find_spec("LKHpy") is None:
            reason = (
                f"LKH-3 for CVRP runs through LKHpy, which has no wheel for Python "
                f"{sys.version_info.major}.{sys.version_info.minor}; use --solver hgs (or ortools) instead"
            )
        return reason

    def _solve(self, instance: Instance, time_limit: float | None, seed: int) -> tuple[list[list[int]], None]:
        if instance.num_nodes == 2:  # LKH-3 refuses DIMENSION < 3; one client has one solution
            return [[1]], None
        limit = self.default_time_limit if time_limit is None else time_limit
        weights = np.rint(instance.distances * integer_scale(instance.distances)).astype(np.int64)
        trials = self.max_trials or max(10_000, instance.num_nodes)
        if instance.problem == "cvrp":
            return self._cvrp(instance, weights, trials, limit, seed), None
        kind = "TSP" if np.array_equal(weights, weights.T) else "ATSP"
        problem = "\n".join([f"TYPE : {kind}", f"DIMENSION : {instance.num_nodes}", *_matrix_section(weights), "EOF"])
        tour = elkai_lkh.solve_problem(_parameters(":stdin:", trials, self.runs, limit, seed), problem + "\n")
        return tour_to_routes([v - 1 for v in tour]), None

    def _cvrp(self, instance: Instance, weights: np.ndarray, trials: int, limit: float, seed: int) -> list[list[int]]:
        demand_scale = integer_scale(np.append(instance.demands, instance.capacity), target=1e6)
        demands = np.ceil(instance.demands * demand_scale - 1e-9).astype(np.int64)
        capacity = int(math.floor(instance.capacity * demand_scale + 1e-9))
        lower = math.ceil(demands.sum() / capacity)
        vehicles = min(instance.num_clients, lower + max(2, math.ceil(0.1 * lower)))
        lines = [
            f"NAME : {instance.name}",
            "TYPE : CVRP",
            f"DIMENSION : {instance.num_nodes}",
            f"VEHICLES : {vehicles}",
            f"CAPACITY : {capacity}",
            *_matrix_section(weights),
            "DEMAND_SECTION",
            *(f"{i + 1} {q}" for i, q in enumerate(demands)),
            "DEPOT_SECTION",
            "1",
            "-1",
            "EOF",
        ]
        with tempfile.TemporaryDirectory(prefix="ncorouting-lkh-") as tmp:
            vrp, par, out = Path(tmp, "p.vrp"), Path(tmp, "p.par"), Path(tmp, "tour.npy")
            vrp.write_text("\n".join(lines) + "\n")
            par.write_text(_parameters(str(vrp), trials, self.runs, limit, seed) + "SPECIAL\nMTSP_MIN_SIZE = 0\n")
            proc = subprocess.run([sys.executable, "-c", _CHILD, str(par), str(out)], capture_output=True, text=True)
            if proc.returncode != 0 or not out.is_file():
                tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
                raise SolverError(f"LKH-3 failed on {instance.name} (exit {proc.returncode}): {' | '.join(tail)}")
            return routes_from_depot_tour(np.load(out))
