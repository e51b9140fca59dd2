"""TSPLIB (.tsp/.atsp) and CVRPLIB (.vrp) instance files into `Instance`s, and solution files.

Instances are read by our own TSPLIB reader (`ncorouting.io.tsplib`, see why there); every convention
real users meet is supported: EUC_2D, CEIL_2D, ATT and GEO coordinates, and EXPLICIT weights as
FULL_MATRIX, LOWER_DIAG_ROW, UPPER_DIAG_ROW, LOWER_ROW or UPPER_ROW. Anything else (EUC_3D, fixed edges,
a route-length limit, ...) is refused by name rather than ignored. Solutions are read and written
through vrplib. Node numbers in error messages are the file's own ids.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import vrplib

from ncorouting.distances import COORD_WEIGHT_TYPES, MAX_WEIGHT, distances_from_coords, first_bad_weight
from ncorouting.errors import InputError
from ncorouting.instance import Instance
from ncorouting.io.edge_weights import explicit_matrix
from ncorouting.io.tsplib import TsplibDocument, node_table, parse_tsplib

FILE_TYPES = {"TSP": "tsp", "ATSP": "atsp", "CVRP": "cvrp"}
#: Specification keys we read or that carry no constraint.
KNOWN_KEYS = {
    "NAME", "TYPE", "COMMENT", "DIMENSION", "CAPACITY", "EDGE_WEIGHT_TYPE", "EDGE_WEIGHT_FORMAT",
    "NODE_COORD_TYPE", "DISPLAY_DATA_TYPE",
}  # fmt: skip
#: Keys that would add a constraint we do not model: refused, never silently dropped.
UNSUPPORTED_KEYS = {
    "DISTANCE": "a route-length limit",
    "SERVICE_TIME": "service times",
    "VEHICLES": "a fleet-size limit",
    "EDGE_DATA_FORMAT": "edge lists",
}
KNOWN_SECTIONS = {
    "NODE_COORD_SECTION", "EDGE_WEIGHT_SECTION", "DEMAND_SECTION", "DEPOT_SECTION", "DISPLAY_DATA_SECTION",
}  # fmt: skip


def _check_keys(doc: TsplibDocument) -> None:
    for key, (_, line) in doc.spec.items():
        if key in UNSUPPORTED_KEYS:
            raise doc.fail(f"{key} ({UNSUPPORTED_KEYS[key]}) is not supported", line)
        if key not in KNOWN_KEYS:
            raise doc.fail(f"unknown specification key '{key}'", line)
    for section, line in doc.section_lines.items():
        if section not in KNOWN_SECTIONS:
            raise doc.fail(f"{section} is not supported (supported: {', '.join(sorted(KNOWN_SECTIONS))})", line)


def _problem(doc: TsplibDocument) -> str:
    file_type = doc.keyword("TYPE") or ("CVRP" if "DEMAND_SECTION" in doc.sections else "TSP")
    if file_type not in FILE_TYPES:
        raise doc.fail(f"TYPE '{file_type}' is not supported; supported: {', '.join(FILE_TYPES)}", doc.spec["TYPE"][1])
    return FILE_TYPES[file_type]


def _coordinates(doc: TsplibDocument, n: int) -> np.ndarray | None:
    """NODE_COORD_SECTION (or, for drawing an EXPLICIT instance, a 2D DISPLAY_DATA_SECTION)."""
    if doc.keyword("NODE_COORD_TYPE") not in (None, "TWOD_COORDS"):
        raise doc.fail(f"NODE_COORD_TYPE {doc.keyword('NODE_COORD_TYPE')} is not supported (only TWOD_COORDS)")
    for section in ("NODE_COORD_SECTION", "DISPLAY_DATA_SECTION"):
        if section in doc.sections:
            return np.asarray(node_table(doc, section, n, values=2)[0])
    return None


def _distances(doc: TsplibDocument, n: int, coords: np.ndarray | None) -> tuple[np.ndarray, str]:
    weight_type = doc.keyword("EDGE_WEIGHT_TYPE")
    if weight_type is None:
        raise doc.fail("missing EDGE_WEIGHT_TYPE")
    if weight_type == "EXPLICIT":
        distances = explicit_matrix(doc, n)
    elif weight_type in COORD_WEIGHT_TYPES and weight_type != "EXACT_2D":
        if "NODE_COORD_SECTION" not in doc.sections:
            raise doc.fail(f"EDGE_WEIGHT_TYPE {weight_type} needs a NODE_COORD_SECTION")
        with np.errstate(over="ignore", invalid="ignore"):
            distances = distances_from_coords(coords, weight_type)
    else:
        supported = [t for t in COORD_WEIGHT_TYPES if t != "EXACT_2D"] + ["EXPLICIT"]
        raise doc.fail(
            f"EDGE_WEIGHT_TYPE '{weight_type}' is not supported; supported: {', '.join(supported)}",
            doc.spec["EDGE_WEIGHT_TYPE"][1],
        )
    bad = first_bad_weight(distances)
    if bad is not None:
        i, j = bad
        cause = "coordinates too large?" if weight_type != "EXPLICIT" else "fix the EDGE_WEIGHT_SECTION"
        raise doc.fail(
            f"the distance from node {i + 1} to node {j + 1} is {distances[i, j]:g}: weights must be finite, "
            f"non-negative and at most {MAX_WEIGHT:g} for solvers' integer scaling ({cause})"
        )
    return distances, weight_type


def _cvrp_fields(doc: TsplibDocument, n: int) -> tuple[np.ndarray, float]:
    if "CAPACITY" not in doc.spec:
        raise doc.fail("missing CAPACITY")
    if "DEMAND_SECTION" not in doc.sections:
        raise doc.fail("missing DEMAND_SECTION")
    capacity = float(doc.number("CAPACITY", positive=True))
    values, lines = node_table(doc, "DEMAND_SECTION", n, values=1)
    demands = np.asarray(values)[:, 0]
    for node, (demand, line) in enumerate(zip(demands, lines, strict=True), start=1):
        if demand < 0:
            raise doc.fail(f"DEMAND_SECTION: demand {demand:g} of node {node} is negative", line)
        if demand > capacity:
            raise doc.fail(f"DEMAND_SECTION: demand {demand:g} of node {node} exceeds CAPACITY {capacity:g}", line)
    depot_entries = doc.sections.get("DEPOT_SECTION", [])
    depot_ids = [t for e in depot_entries for t in e.tokens if t != "-1"]
    if depot_ids and depot_ids != ["1"]:
        where = depot_entries[0].line
        raise doc.fail(f"DEPOT_SECTION: only a single depot at node 1 is supported, got {depot_ids}", where)
    if demands[0] != 0:
        raise doc.fail(f"DEMAND_SECTION: the depot (node 1) must have demand 0, got {demands[0]:g}", lines[0])
    return demands, capacity


def instance_name(doc: TsplibDocument, path: Path) -> str:
    """NAME without a file suffix some files repeat in it (e.g. 'ulysses16.tsp'); the file stem if absent."""
    name = doc.text("NAME") or path.stem
    for suffix in (".tsp", ".atsp", ".vrp"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or path.stem


def read_vrplib_instance(path: str | Path) -> Instance:
    """Read a TSPLIB or CVRPLIB file into an `Instance`, with a clear error for any defect."""
    path = Path(path)
    doc = parse_tsplib(path)
    _check_keys(doc)
    problem = _problem(doc)
    if "DIMENSION" not in doc.spec:
        raise doc.fail("missing DIMENSION")
    n = doc.number("DIMENSION", integer=True)
    if n < 2:
        raise doc.fail(f"DIMENSION must be at least 2, got {n}", doc.spec["DIMENSION"][1])
    coords = _coordinates(doc, n)
    distances, weight_type = _distances(doc, n, coords)
    demands = capacity = None
    if problem == "cvrp":
        demands, capacity = _cvrp_fields(doc, n)
    return Instance(
        problem=problem,
        distances=distances,
        coords=coords,
        demands=demands,
        capacity=capacity,
        name=instance_name(doc, path),
        edge_weight_type=weight_type,
        source=str(path),
    )


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
    for number, line in enumerate(Path(path).read_text(errors="replace").splitlines(), start=1):
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
                if not tok.isdigit():
                    raise InputError(f"TOUR_SECTION: '{tok}' is not a node number", source=str(path), line=number)
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
