"""Imitation labels for BQ-NCO: generated instances (ATSP: sampled from city files) solved by our
LKH-3 or HGS, cached as `.npz`.

A label file holds the instances (as `ncorouting generate` makes them, from a seed), each solver
solution as arrays and its cost recomputed by the problem's checker, plus what produced it. Loading
re-validates everything (keys, shapes, problem and size, every solution feasible and costed as
stored), so a corrupt or mismatched file is refused with an error naming the file and the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tensordict import TensorDict

from ncorouting.errors import InputError
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.registry import get_problem
from ncorouting.solution import Solution
from ncorouting.solvers import get_solver

FORMAT = "ncorouting-bq-labels/1"
#: Which label solvers handle which problem.
LABEL_SOLVERS = {"tsp": ("lkh",), "cvrp": ("hgs", "lkh"), "atsp": ("lkh",)}
INSTANCE_KEYS = {"tsp": ("locs",), "cvrp": ("depot", "locs", "demand", "capacity"), "atsp": ("locs", "dist")}
SOLUTION_KEYS = {"tsp": ("tour",), "cvrp": ("clients", "route_start"), "atsp": ("tour",)}
#: Problems whose instances are sampled from city files (`LabelRequest.cities`).
CITY_PROBLEMS = ("atsp",)
#: Relative tolerance between a stored cost and the one recomputed from the stored solution.
COST_RTOL = 1e-6


@dataclass(frozen=True)
class LabelRequest:
    """What a label set is made of; two files with equal requests hold the same instances."""

    problem: str
    size: int
    num_instances: int
    solver: str
    seed: int
    time_limit: float
    #: LKH-3 trials per run (LKH's own default is the node count); None for HGS.
    max_trials: int | None = None
    #: ATSP: the city files (or OSM extracts) instances are sampled from, as given.
    cities: tuple[str, ...] = ()

    def default_path(self) -> Path:
        """Cache location under `runs/` (ignored by git), named after the request."""
        trials = f"_m{self.max_trials}" if self.max_trials else ""
        where = "".join(f"_{Path(c).name.split('.')[0]}" for c in self.cities)
        return Path("runs/bq_labels") / (
            f"{self.problem}{self.size}{where}_{self.solver}_n{self.num_instances}_s{self.seed}"
            f"_t{self.time_limit:g}{trials}.npz"
        )

    def solver_options(self) -> dict:
        """Constructor options of the label solver."""
        return {"max_trials": self.max_trials} if self.max_trials else {}

    def validate(self) -> None:
        problem = get_problem(self.problem).name
        if problem not in LABEL_SOLVERS:
            raise InputError(f"BQ labels exist for {', '.join(LABEL_SOLVERS)}, not '{problem}'")
        if self.solver not in LABEL_SOLVERS[problem]:
            raise InputError(
                f"solver '{self.solver}' cannot label {problem}; use {' or '.join(LABEL_SOLVERS[problem])}"
            )
        if self.size < 2 or self.num_instances < 1 or not self.time_limit > 0:
            raise InputError("labels need --size >= 2, --num-instances >= 1 and a positive --time-limit")
        if self.max_trials is not None and (self.solver != "lkh" or self.max_trials < 1):
            raise InputError("--max-trials is a positive number of LKH-3 trials; it applies to --solver lkh only")
        if (problem in CITY_PROBLEMS) != bool(self.cities):
            need = "needs --cities (city files or OSM extracts)" if problem in CITY_PROBLEMS else "takes no --cities"
            raise InputError(f"{problem} {need}")


@dataclass
class LabelSet:
    """Instances (a TensorDict in the generator's format) and their solutions, from one request."""

    request: LabelRequest
    instances: TensorDict
    solutions: dict[str, np.ndarray]
    costs: np.ndarray

    def __len__(self) -> int:
        return int(self.costs.shape[0])


def solution_arrays(problem: str, solutions: list[Solution]) -> dict[str, np.ndarray]:
    """(A)TSP: the tour from city 0 [K, N]; CVRP: clients in solver order [K, n] and route starts [K, n]."""
    if problem != "cvrp":
        return {"tour": np.array([[0, *s.routes[0]] for s in solutions], dtype=np.int64)}
    clients = [[v for r in s.routes for v in r] for s in solutions]
    starts = [[i == 0 for r in s.routes for i in range(len(r))] for s in solutions]
    return {"clients": np.array(clients, dtype=np.int64), "route_start": np.array(starts, dtype=bool)}


def routes_from_arrays(problem: str, solutions: dict[str, np.ndarray], row: int) -> list[list[int]]:
    """The routes of label `row`, as the checker reads them."""
    if problem != "cvrp":
        return [solutions["tour"][row, 1:].tolist()]
    routes: list[list[int]] = []
    for node, start in zip(solutions["clients"][row].tolist(), solutions["route_start"][row].tolist(), strict=True):
        if start or not routes:
            routes.append([])
        routes[-1].append(node)
    return routes


def build_labels(request: LabelRequest, workers: int = 1, progress: bool = True) -> LabelSet:
    """Generate the instances from the request's seed and solve them (in parallel with `workers`)."""
    request.validate()
    params = {"cities": list(request.cities)} if request.cities else {}
    td = generate_dataset(request.problem, request.num_instances, request.size, seed=request.seed, **params)
    td = td.select(*INSTANCE_KEYS[request.problem])
    instances = instances_from_batch(request.problem, td, name=f"{request.problem}{request.size}-s{request.seed}")
    solver = get_solver(request.solver, **request.solver_options())
    solutions = solver.solve_many(instances, request.time_limit, request.seed, workers=workers, progress=progress)
    bad = next((s for s in solutions if not s.feasible), None)
    if bad is not None:
        raise RuntimeError(f"{request.solver} returned an infeasible solution for {bad.instance.name}: {bad.reason}")
    costs = np.array([s.cost for s in solutions])
    return LabelSet(request, td, solution_arrays(request.problem, solutions), costs)


def save_labels(path: str | Path, labels: LabelSet) -> None:
    """Write a label set as one compressed `.npz`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    req = labels.request
    meta = {
        "format": FORMAT,
        "problem": req.problem,
        "size": req.size,
        "num_instances": req.num_instances,
        "solver": req.solver,
        "seed": req.seed,
        "time_limit": req.time_limit,
        "max_trials": req.max_trials or 0,
        "cities": np.asarray(req.cities, dtype=str),
    }
    arrays = {k: v.cpu().numpy() for k, v in labels.instances.items()}
    np.savez_compressed(
        path, **{k: np.asarray(v) for k, v in meta.items()}, **arrays, **labels.solutions, cost=labels.costs
    )


def _fail(path: Path, message: str) -> None:
    raise InputError(message, source=str(path))


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        _fail(path, "label file not found (build it with `ncorouting bq-data`)")
    try:
        with np.load(path, allow_pickle=False) as blob:
            return {k: blob[k] for k in blob.files}
    except Exception as exc:  # numpy raises zipfile, OS and value errors for a damaged archive
        _fail(path, f"not a readable label file ({type(exc).__name__}: {exc})")


def _request_from(path: Path, arrays: dict[str, np.ndarray]) -> LabelRequest:
    for key in ("format", "problem", "size", "num_instances", "solver", "seed", "time_limit", "max_trials", "cost"):
        if key not in arrays:
            _fail(path, f"missing field '{key}': not a BQ label file")
    if str(arrays["format"]) != FORMAT:
        _fail(path, f"format '{arrays['format']}' is not '{FORMAT}'")
    try:
        return LabelRequest(
            problem=str(arrays["problem"]),
            size=int(arrays["size"]),
            num_instances=int(arrays["num_instances"]),
            solver=str(arrays["solver"]),
            seed=int(arrays["seed"]),
            time_limit=float(arrays["time_limit"]),
            max_trials=int(arrays["max_trials"]) or None,
            cities=tuple(str(c) for c in arrays["cities"]) if "cities" in arrays else (),
        )
    except (TypeError, ValueError) as exc:
        _fail(path, f"unreadable metadata ({exc})")


def _check_shapes(path: Path, req: LabelRequest, arrays: dict[str, np.ndarray]) -> None:
    k, n = req.num_instances, req.size
    expected = {"cost": (k,), "locs": (k, n, 2)}
    if req.problem != "cvrp":
        expected["tour"] = (k, n)
    if req.problem == "atsp":
        expected["dist"] = (k, n, n)
    if req.problem == "cvrp":
        expected.update(depot=(k, 2), demand=(k, n), capacity=(k, 1), clients=(k, n), route_start=(k, n))
    for key, shape in expected.items():
        if key not in arrays:
            _fail(path, f"missing array '{key}' for {req.problem} labels")
        if arrays[key].shape != shape:
            _fail(path, f"array '{key}' has shape {arrays[key].shape}, expected {shape} for {k} instances of size {n}")
        if arrays[key].dtype.kind in "fc" and not np.isfinite(arrays[key]).all():
            _fail(path, f"array '{key}' holds NaN or infinite values")


def load_labels(path: str | Path, problem: str | None = None, size: int | None = None) -> LabelSet:
    """Read and re-check a label file; refuse one made for another problem or size than asked."""
    path = Path(path)
    arrays = _read_npz(path)
    req = _request_from(path, arrays)
    if req.problem not in LABEL_SOLVERS:
        _fail(path, f"labels for unknown problem '{req.problem}'")
    if problem is not None and req.problem != problem:
        _fail(path, f"labels are for {req.problem}, not {problem}")
    if size is not None and req.size != size:
        _fail(path, f"labels are for {req.problem}{req.size}, not size {size}")
    _check_shapes(path, req, arrays)
    td = TensorDict({k: torch.as_tensor(arrays[k]) for k in INSTANCE_KEYS[req.problem]}, batch_size=[req.num_instances])
    labels = LabelSet(req, td, {k: arrays[k] for k in SOLUTION_KEYS[req.problem]}, arrays["cost"])
    _check_solutions(path, labels)
    return labels


def _check_solutions(path: Path, labels: LabelSet) -> None:
    """Every stored solution goes through the problem's checker and must cost what the file says."""
    problem = labels.request.problem
    check = get_problem(problem).check
    for row, inst in enumerate(instances_from_batch(problem, labels.instances, name=str(path))):
        routes = routes_from_arrays(problem, labels.solutions, row)
        result = check(inst, routes, None)
        if not result.feasible:
            _fail(path, f"label {row} is not a feasible {problem} solution: {result.reason}")
        stored = float(labels.costs[row])
        if not math.isclose(result.cost, stored, rel_tol=COST_RTOL, abs_tol=1e-9):
            _fail(path, f"label {row} costs {result.cost:.6f} on its instance, but the file says {stored:.6f}")


def cached_labels(request: LabelRequest, path: str | Path | None = None, workers: int = 1, force: bool = False):
    """The label set of `request`: read from `path` when it holds exactly this request, else built
    and written there. A file made from another request is refused unless `force`."""
    request.validate()
    path = Path(path) if path is not None else request.default_path()
    if path.exists() and not force:
        labels = load_labels(path)
        if labels.request != request:
            _fail(path, f"exists with other parameters ({labels.request}); pass --force to rebuild it")
        return labels, path, True
    labels = build_labels(request, workers=workers)
    save_labels(path, labels)
    return labels, path, False
