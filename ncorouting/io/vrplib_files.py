"""TSPLIB (.tsp/.atsp) and CVRPLIB (.vrp) instance files, parsed by `vrplib`.

vrplib returns unrounded Euclidean distances and misreads wrapped FULL_MATRIX rows, so we
compute edge weights ourselves by the file's EDGE_WEIGHT_TYPE and read full matrices as a flat
stream of numbers (see shared field notes).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import vrplib
from vrplib.parse import parse_vrplib

from ncorouting.errors import InputError
from ncorouting.instance import COORD_WEIGHT_TYPES, Instance, distances_from_coords

FILE_TYPES = {"TSP": "tsp", "ATSP": "atsp", "CVRP": "cvrp"}


def _line_of(lines: list[str], section: str, node_id: int) -> int | None:
    """1-based line number of node `node_id`'s entry in `section`, for error messages."""
    inside = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.upper().startswith(section):
            inside = True
            continue
        if inside:
            tokens = stripped.split()
            if tokens and re.fullmatch(r"[A-Z_]+:?", tokens[0]):
                return None
            if tokens and tokens[0] == str(node_id):
                return number
    return None


def _is_section_end(stripped: str) -> bool:
    return bool(re.match(r"[A-Za-z_]", stripped)) and stripped.split()[0].upper() not in ("NAN", "INF", "-INF")


def _without_full_matrix(lines: list[str]) -> str:
    """The file text minus a FULL_MATRIX EDGE_WEIGHT_SECTION (we read that one ourselves)."""
    if not any(re.match(r"\s*EDGE_WEIGHT_FORMAT\s*:?\s*FULL_MATRIX", ln, re.I) for ln in lines):
        return "\n".join(lines)
    kept, inside = [], False
    for line in lines:
        stripped = line.strip()
        if stripped.upper().startswith("EDGE_WEIGHT_SECTION"):
            inside = True
            continue
        if inside and stripped and _is_section_end(stripped):
            inside = False
        if not inside:
            kept.append(line)
    return "\n".join(kept)


def _full_matrix(lines: list[str], n: int, source: str) -> np.ndarray:
    """EDGE_WEIGHT_SECTION of a FULL_MATRIX file as n*n numbers, whatever the line wrapping."""
    values: list[str] = []
    inside = False
    for line in lines:
        stripped = line.strip()
        if stripped.upper().startswith("EDGE_WEIGHT_SECTION"):
            inside = True
            continue
        if inside:
            if not stripped:
                continue
            if _is_section_end(stripped):
                break
            values.extend(stripped.split())
    if len(values) < n * n:
        raise InputError(
            f"EDGE_WEIGHT_SECTION holds {len(values)} numbers, a {n}x{n} matrix needs {n * n}", source=source
        )
    try:
        return np.asarray([float(v) for v in values[: n * n]]).reshape(n, n)
    except ValueError as exc:
        raise InputError(f"EDGE_WEIGHT_SECTION: {exc}", source=source) from None


def _numeric(data: dict, key: str, section: str, source: str) -> np.ndarray:
    """A parsed section as floats, or an error naming the section."""
    try:
        return np.asarray(data[key], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{section}: non-numeric entry ({exc})", source=source) from None


def read_vrplib_instance(path: str | Path) -> Instance:
    """Read a TSPLIB or CVRPLIB file into an `Instance`, with a clear error for any defect."""
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError("file not found", source=source)
    lines = path.read_text(errors="replace").splitlines()
    try:
        data = parse_vrplib(_without_full_matrix(lines), compute_edge_weights=False)
    except Exception as exc:  # vrplib raises bare ValueError/IndexError on malformed files
        raise InputError(f"malformed instance file ({type(exc).__name__}: {exc})", source=source) from None

    file_type = str(data.get("type", "")).strip().upper()
    if not file_type:
        file_type = "CVRP" if "demand" in data else "TSP"
    if file_type not in FILE_TYPES:
        raise InputError(f"TYPE '{file_type}' is not supported; supported: {', '.join(FILE_TYPES)}", source=source)
    problem = FILE_TYPES[file_type]
    if "dimension" not in data:
        raise InputError("missing DIMENSION", source=source)
    n = int(data["dimension"])
    weight_type = str(data.get("edge_weight_type", "")).strip().upper()
    if not weight_type:
        raise InputError("missing EDGE_WEIGHT_TYPE", source=source)

    coords = None
    if "node_coord" in data:
        coords = _numeric(data, "node_coord", "NODE_COORD_SECTION", source)
        if coords.shape[0] != n:
            raise InputError(
                f"NODE_COORD_SECTION has {coords.shape[0]} entries, DIMENSION is {n} (truncated file?)", source=source
            )
        bad = np.argwhere(~np.isfinite(coords))
        if bad.size:
            node = int(bad[0][0]) + 1
            raise InputError(
                f"NODE_COORD_SECTION: coordinate of node {node} is not finite",
                source=source,
                line=_line_of(lines, "NODE_COORD_SECTION", node),
            )

    if weight_type == "EXPLICIT":
        fmt = str(data.get("edge_weight_format", "")).strip().upper()
        if fmt == "FULL_MATRIX":
            distances = _full_matrix(lines, n, source)
        elif "edge_weight" in data:
            distances = _numeric(data, "edge_weight", "EDGE_WEIGHT_SECTION", source)
        else:
            raise InputError("EXPLICIT weights but no EDGE_WEIGHT_SECTION", source=source)
        if distances.shape != (n, n):
            raise InputError(f"EDGE_WEIGHT_SECTION gives a {distances.shape} matrix, DIMENSION is {n}", source=source)
        distances = distances.copy()
        np.fill_diagonal(distances, 0.0)  # TSPLIB puts a large "no edge" number there
    elif weight_type in COORD_WEIGHT_TYPES:
        if coords is None:
            raise InputError(f"EDGE_WEIGHT_TYPE {weight_type} needs a NODE_COORD_SECTION", source=source)
        distances = distances_from_coords(coords, weight_type)
    else:
        raise InputError(
            f"EDGE_WEIGHT_TYPE '{weight_type}' is not supported; supported: {', '.join(COORD_WEIGHT_TYPES)}, EXPLICIT",
            source=source,
        )

    demands = capacity = None
    if problem == "cvrp":
        demands, capacity = _cvrp_fields(data, n, lines, source)
    return Instance(
        problem=problem,
        distances=distances,
        coords=coords,
        demands=demands,
        capacity=capacity,
        name=str(data.get("name", path.stem)).strip() or path.stem,
        edge_weight_type=weight_type,
        source=source,
    )


def _cvrp_fields(data: dict, n: int, lines: list[str], source: str) -> tuple[np.ndarray, float]:
    if "capacity" not in data:
        raise InputError("missing CAPACITY", source=source)
    if "demand" not in data:
        raise InputError("missing DEMAND_SECTION", source=source)
    demands = _numeric(data, "demand", "DEMAND_SECTION", source)
    if demands.shape != (n,):
        raise InputError(f"DEMAND_SECTION has {demands.shape[0]} entries, DIMENSION is {n}", source=source)
    capacity = float(data["capacity"])
    over = np.flatnonzero(demands > capacity)
    if over.size:
        node = int(over[0]) + 1
        raise InputError(
            f"DEMAND_SECTION: demand {demands[over[0]]:g} of node {node} exceeds CAPACITY {capacity:g}",
            source=source,
            line=_line_of(lines, "DEMAND_SECTION", node),
        )
    depots = np.asarray(data.get("depot", [0])).ravel()
    if depots.size != 1 or int(depots[0]) != 0:
        raise InputError(
            f"DEPOT_SECTION: only a single depot at node 1 is supported, got {(depots + 1).tolist()}", source=source
        )
    return demands, capacity


def read_vrplib_solution(path: str | Path) -> list[list[int]]:
    """Routes of a CVRPLIB `.sol` file (client numbers as in the file, depot 0 implicit)."""
    try:
        return [list(map(int, r)) for r in vrplib.read_solution(path)["routes"]]
    except Exception as exc:
        raise InputError(f"malformed solution file ({type(exc).__name__}: {exc})", source=str(path)) from None


def read_tour(path: str | Path) -> list[int]:
    """A TSPLIB `.tour` file as 0-based city indices."""
    nodes: list[int] = []
    inside = False
    for line in Path(path).read_text().splitlines():
        tokens = line.split()
        if not tokens:
            continue
        if tokens[0].upper().startswith("TOUR_SECTION"):
            inside = True
            continue
        if inside:
            for tok in tokens:
                if tok in ("-1", "EOF"):
                    return nodes
                nodes.append(int(tok) - 1)
    if not nodes:
        raise InputError("no TOUR_SECTION", source=str(path))
    return nodes


def write_tour(path: str | Path, name: str, routes: list[list[int]], cost: float) -> None:
    """Write our single TSP route as a TSPLIB tour file (1-based, city 1 first)."""
    tour = [0, *routes[0]]
    body = "\n".join(str(v + 1) for v in tour)
    cost_txt = f"{cost:g}" if math.isfinite(cost) else "infeasible"
    Path(path).write_text(
        f"NAME : {name}.tour\nCOMMENT : cost {cost_txt}\nTYPE : TOUR\n"
        f"DIMENSION : {len(tour)}\nTOUR_SECTION\n{body}\n-1\nEOF\n"
    )


def write_cvrp_solution(path: str | Path, routes: list[list[int]], cost: float) -> None:
    """Write routes in CVRPLIB `.sol` format through vrplib."""
    vrplib.write_solution(path, routes, {"Cost": round(cost, 6)})
