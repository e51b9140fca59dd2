"""The profiled VRP's JSON form: node 0 is the depot, one object per vehicle with its capacity, speed and
either its preference row (`pvrp_p`: one number in [0, 1] per client) or its allowed clients (`pvrp_zc`;
absent: every client), and the preference weight `alpha` (`pvrp_p`, 0.2 by default). Example:

    {"problem": "pvrp_p", "name": "x", "alpha": 0.2,
     "coords": [[0.5, 0.5], [0.1, 0.2], [0.9, 0.7]], "demands": [0, 3, 5],
     "vehicles": [{"capacity": 40, "speed": 1.0, "preferences": [0.9, 0.1]},
                  {"capacity": 40, "speed": 1.0, "preferences": [0.2, 0.8]}]}

Every error names the field at fault, e.g. `vehicles[1].speed`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ncorouting.errors import InputError
from ncorouting.instance import Instance, Vehicle, distances_from_coords

DEFAULT_ALPHA = 0.2


def _fail(field: str, message: str, source: str) -> None:
    raise InputError(f"field '{field}': {message}", source=source)


def _positive(value, field: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        _fail(field, f"must be a positive number, got {json.dumps(value)}", source)
    return float(value)


def _numbers(value, field: str, length: int, source: str) -> np.ndarray:
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value):
        _fail(field, f"must be a list of numbers, got {json.dumps(value)[:80]}", source)
    if len(value) != length:
        _fail(field, f"must have {length} entries, got {len(value)}", source)
    arr = np.asarray(value, dtype=np.float64)
    if not np.isfinite(arr).all():
        _fail(field, "holds a non-finite number", source)
    return arr


def _vehicle(
    doc, k: int, problem: str, num_clients: int, source: str
) -> tuple[Vehicle, np.ndarray | None, list | None]:
    """One vehicle object: (Vehicle, its preference row or None, its allowed clients or None)."""
    field = f"vehicles[{k}]"
    if not isinstance(doc, dict):
        _fail(field, f"must be an object, got {json.dumps(doc)[:80]}", source)
    unknown = set(doc) - {"capacity", "speed", "preferences", "allowed"}
    if unknown:
        _fail(field, f"has unknown key(s) {sorted(unknown)}; known: capacity, speed, preferences, allowed", source)
    if "capacity" not in doc:
        _fail(f"{field}.capacity", "is missing", source)
    vehicle = Vehicle(
        capacity=_positive(doc["capacity"], f"{field}.capacity", source),
        speed=_positive(doc.get("speed", 1.0), f"{field}.speed", source),
    )
    row = allowed = None
    if problem == "pvrp_p":
        if "allowed" in doc:
            _fail(f"{field}.allowed", "applies to pvrp_zc; pvrp_p vehicles have preference rows", source)
        if "preferences" not in doc:
            _fail(
                f"{field}.preferences", f"is missing (pvrp_p: one number in [0, 1] per client, {num_clients})", source
            )
        row = _numbers(doc["preferences"], f"{field}.preferences", num_clients, source)
        if (row < 0).any() or (row > 1).any():
            _fail(f"{field}.preferences", f"must lie in [0, 1], got {row[(row < 0) | (row > 1)][0]:g}", source)
    else:
        if "preferences" in doc:
            _fail(f"{field}.preferences", "applies to pvrp_p; pvrp_zc vehicles have allowed clients", source)
        if "allowed" in doc:
            allowed = doc["allowed"]
            if not isinstance(allowed, list) or any(
                isinstance(c, bool) or not isinstance(c, int) or not 1 <= c <= num_clients for c in allowed
            ):
                _fail(f"{field}.allowed", f"must be a list of client indices 1..{num_clients}", source)
    return vehicle, row, allowed


def profiled_instance_from_dict(doc: dict, problem: str, source: str) -> Instance:
    """A `pvrp_p`/`pvrp_zc` instance from its JSON document (see the module docstring)."""
    coords = doc.get("coords")
    try:
        coords = np.asarray(coords, dtype=np.float64)
    except (TypeError, ValueError):
        _fail("coords", "must be a list of [x, y] pairs", source)
    if coords.ndim != 2 or coords.shape[1] != 2 or coords.shape[0] < 2 or not np.isfinite(coords).all():
        _fail("coords", "must be at least two finite [x, y] pairs (depot first)", source)
    num_clients = coords.shape[0] - 1
    demands = _numbers(doc.get("demands"), "demands", num_clients + 1, source)
    if demands[0] != 0 or (demands < 0).any():
        _fail("demands", "must be non-negative with 0 for the depot (node 0)", source)
    vehicles = doc.get("vehicles")
    if not isinstance(vehicles, list) or not vehicles:
        _fail("vehicles", "must be a non-empty list of vehicle objects", source)
    parsed = [_vehicle(v, k, problem, num_clients, source) for k, v in enumerate(vehicles)]
    fleet = [vehicle for vehicle, _, _ in parsed]
    largest = max(v.capacity for v in fleet)
    if demands.max() > largest:
        client = int(np.argmax(demands))
        _fail(
            "demands",
            f"client {client} demands {demands[client]:g}, above every vehicle's capacity ({largest:g})",
            source,
        )
    allowed_vehicles = None
    if problem == "pvrp_zc" and any(allowed is not None for _, _, allowed in parsed):
        servers = {
            j: [k for k, (_, _, a) in enumerate(parsed) if a is None or j in a] for j in range(1, num_clients + 1)
        }
        orphan = next((j for j, ks in servers.items() if not ks), None)
        if orphan is not None:
            _fail("vehicles[*].allowed", f"client {orphan} is allowed to no vehicle", source)
        allowed_vehicles = {j: ks for j, ks in servers.items() if len(ks) < len(fleet)}
    alpha = doc.get("alpha", DEFAULT_ALPHA if problem == "pvrp_p" else 0.0)
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 <= alpha <= 1:
        _fail("alpha", f"must be a number in [0, 1], got {json.dumps(alpha)}", source)
    if problem == "pvrp_zc" and alpha != 0:
        _fail("alpha", "applies to pvrp_p; the pvrp_zc objective is travel time alone", source)
    name = doc.get("name", Path(source).stem)
    if not isinstance(name, str):
        _fail("name", f"must be a string, got {json.dumps(name)}", source)
    return Instance(
        problem=problem,
        distances=distances_from_coords(coords),
        coords=coords,
        demands=demands,
        capacity=largest,
        name=name,
        source=source,
        fleet=fleet,
        allowed_vehicles=allowed_vehicles or None,
        preferences=np.stack([row for _, row, _ in parsed]) if problem == "pvrp_p" else None,
        alpha=float(alpha),
    )


def profiled_instance_to_dict(instance: Instance) -> dict:
    """The JSON form of a PVRP instance."""
    vehicles = []
    for k, vehicle in enumerate(instance.fleet):
        entry: dict = {"capacity": vehicle.capacity, "speed": vehicle.speed}
        if instance.preferences is not None:
            entry["preferences"] = instance.preferences[k].tolist()
        elif instance.allowed_vehicles:
            entry["allowed"] = [j for j in range(1, instance.num_nodes) if k in instance.allowed_vehicles.get(j, [k])]
        vehicles.append(entry)
    doc = {"problem": instance.problem, "name": instance.name, "coords": instance.coords.tolist()}
    doc.update(demands=instance.demands.tolist(), vehicles=vehicles)
    if instance.problem == "pvrp_p":
        doc["alpha"] = instance.alpha
    return doc
