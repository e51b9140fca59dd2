"""Reading instances (TSPLIB, CVRPLIB, JSON) and writing solutions, with known optima attached."""

from __future__ import annotations

import json
from pathlib import Path

from ncorouting.errors import InputError
from ncorouting.instance import Instance
from ncorouting.io.json_files import instance_to_dict, read_json_instance
from ncorouting.io.known_optima import table_optimum
from ncorouting.io.solomon import read_solomon_instance
from ncorouting.io.vrplib_files import (
    read_tour,
    read_vrplib_instance,
    read_vrplib_solution,
    write_cvrp_solution,
    write_tour,
)
from ncorouting.registry import get_problem

INSTANCE_SUFFIXES = (".tsp", ".atsp", ".vrp", ".json", ".txt")  # .txt: Solomon VRPTW


def read_instance(path: str | Path) -> Instance:
    """Read an instance by its suffix and attach its known optimum (from a file beside it or our table)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        instance = read_json_instance(path)
    elif suffix in (".tsp", ".atsp", ".vrp"):
        instance = read_vrplib_instance(path)
    elif suffix == ".txt":
        instance = read_solomon_instance(path)
    else:
        raise InputError(
            f"unknown instance suffix '{path.suffix}'; expected one of {', '.join(INSTANCE_SUFFIXES)}", source=str(path)
        )
    if instance.known_optimum is None:
        instance.known_optimum, instance.optimum_source = _known_optimum(path, instance)
    return instance


def _known_optimum(path: Path, instance: Instance) -> tuple[float | None, str | None]:
    """Cost of the reference solution beside the file (recomputed by our checker), else our table's
    entry for an instance of the same name, problem and dimension; with where it came from."""
    from ncorouting.envs.tsp.checker import tour_to_routes

    check = get_problem(instance.problem).check
    tour_file = path.with_suffix(".opt.tour")
    sol_file = path.with_suffix(".sol")
    routes, reference = None, None
    if instance.problem in ("tsp", "atsp") and tour_file.is_file():
        routes, reference = tour_to_routes(read_tour(tour_file)), tour_file
    elif instance.problem == "cvrp" and sol_file.is_file():
        routes, reference = read_vrplib_solution(sol_file), sol_file
    if routes is not None:
        result = check(instance, routes, None)
        if result.feasible:
            return result.cost, reference.name
    optimum = table_optimum(instance.name, instance.problem, instance.num_nodes)
    return optimum, (None if optimum is None else "table (ncorouting/io/known_optima.py)")


def write_solution(path: str | Path, solution) -> Path:
    """Write `solution` by the suffix of `path`: `.tour`, `.sol` or `.json` (routes, cost, feasibility)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        doc = {**solution.summary(), "routes": solution.routes, "instance_data": instance_to_dict(solution.instance)}
        if solution.vehicles is not None:
            doc["vehicles"] = solution.vehicles  # the fleet vehicle driving each route
        path.write_text(json.dumps(doc, indent=1))
    elif suffix == ".tour":
        write_tour(path, solution.instance.name, solution.routes, solution.cost)
    elif suffix == ".sol":
        write_cvrp_solution(path, solution.routes, solution.cost)
    else:
        raise InputError(f"unknown solution suffix '{path.suffix}'; expected .tour, .sol or .json", source=str(path))
    return path


__all__ = ["INSTANCE_SUFFIXES", "read_instance", "write_solution"]
