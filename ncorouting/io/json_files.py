"""Our JSON instance form: node 0 is the depot; coordinates and/or an explicit distance matrix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ncorouting.errors import InputError
from ncorouting.instance import COORD_WEIGHT_TYPES, Instance, distances_from_coords
from ncorouting.registry import get_problem


def _array(doc: dict, key: str, source: str) -> np.ndarray | None:
    if key not in doc or doc[key] is None:
        return None
    try:
        arr = np.asarray(doc[key], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"field '{key}' is not numeric ({exc})", source=source) from None
    return arr


def instance_from_dict(doc: dict, source: str = "<json>") -> Instance:
    """Build an instance from the JSON document's fields, naming the field at fault on error."""
    if not isinstance(doc, dict):
        raise InputError("top level must be an object", source=source)
    if "problem" not in doc:
        raise InputError("missing field 'problem'", source=source)
    problem = get_problem(str(doc["problem"])).name
    coords = _array(doc, "coords", source)
    distances = _array(doc, "distances", source)
    weight_type = str(doc.get("edge_weight_type", "EXPLICIT" if distances is not None else "EXACT_2D")).upper()
    if coords is not None and (coords.ndim != 2 or coords.shape[1] != 2):
        raise InputError(f"field 'coords' must be a list of [x, y] pairs, got shape {coords.shape}", source=source)
    if coords is not None and not np.isfinite(coords).all():
        node = int(np.argwhere(~np.isfinite(coords))[0][0])
        raise InputError(f"field 'coords': node {node} has a non-finite coordinate", source=source)
    if distances is None:
        if coords is None:
            raise InputError("needs field 'coords' or 'distances'", source=source)
        if weight_type not in COORD_WEIGHT_TYPES:
            raise InputError(
                f"field 'edge_weight_type': '{weight_type}' is not one of {COORD_WEIGHT_TYPES}", source=source
            )
        distances = distances_from_coords(coords, weight_type)
    elif distances.ndim != 2 or distances.shape[0] != distances.shape[1]:
        raise InputError(f"field 'distances' must be a square matrix, got shape {distances.shape}", source=source)
    demands = _array(doc, "demands", source)
    capacity = doc.get("capacity")
    return Instance(
        problem=problem,
        distances=distances,
        coords=coords,
        demands=demands,
        capacity=None if capacity is None else float(capacity),
        name=str(doc.get("name", Path(source).stem)),
        edge_weight_type=weight_type,
        known_optimum=doc.get("known_optimum"),
        source=source,
    )


def read_json_instance(path: str | Path) -> Instance:
    """Read a JSON instance file."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", source=str(path), line=exc.lineno) from None
    return instance_from_dict(doc, source=str(path))


def instance_to_dict(instance: Instance) -> dict:
    """The JSON form of an instance (coordinates when the costs derive from them, else the matrix)."""
    doc: dict = {"problem": instance.problem, "name": instance.name}
    if instance.coords is not None:
        doc["coords"] = instance.coords.tolist()
    if instance.coords is None or instance.edge_weight_type == "EXPLICIT":
        doc["distances"] = instance.distances.tolist()
    doc["edge_weight_type"] = instance.edge_weight_type
    if instance.demands is not None:
        doc["demands"] = instance.demands.tolist()
        doc["capacity"] = instance.capacity
    if instance.known_optimum is not None:
        doc["known_optimum"] = instance.known_optimum
    return doc
