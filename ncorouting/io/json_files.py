"""Our JSON instance form: node 0 is the depot; coordinates and/or an explicit distance matrix."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ncorouting.errors import InputError
from ncorouting.instance import COORD_WEIGHT_TYPES, PROFILED_PROBLEMS, Instance, distances_from_coords
from ncorouting.io.pvrp_json import profiled_instance_from_dict, profiled_instance_to_dict
from ncorouting.registry import get_problem


def _array(doc: dict, key: str, source: str) -> np.ndarray | None:
    if key not in doc or doc[key] is None:
        return None
    try:
        arr = np.asarray(doc[key], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"field '{key}' is not numeric ({exc})", source=source) from None
    return arr


def _number(doc: dict, key: str, source: str) -> float | None:
    """A scalar numeric field (JSON number, not a string or boolean), or None when absent or null."""
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"field '{key}' must be a finite number, got {json.dumps(value)}", source=source)
    return float(value)


def _text(doc: dict, key: str, source: str, default: str) -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        raise InputError(f"field '{key}' must be a string, got {json.dumps(value)}", source=source)
    return value


#: Optional travel-time and time-window fields (validated by `Instance`): a travel-time matrix, windows
#: [n, 2] on the start of service (row 0: the depot's horizon) and service times [n].
SCHEDULE_FIELDS = ("durations", "time_windows", "service_times")


def instance_from_dict(doc: dict, source: str = "<json>") -> Instance:
    """Build an instance from the JSON document's fields, naming the field at fault on error."""
    if not isinstance(doc, dict):
        raise InputError("top level must be an object", source=source)
    if "problem" not in doc:
        raise InputError("missing field 'problem'", source=source)
    problem = get_problem(_text(doc, "problem", source, "")).name
    if problem in PROFILED_PROBLEMS:  # vehicles with profiles: their own form
        return profiled_instance_from_dict(doc, problem, source)
    coords = _array(doc, "coords", source)
    distances = _array(doc, "distances", source)
    weight_type = _text(doc, "edge_weight_type", source, "EXPLICIT" if distances is not None else "EXACT_2D").upper()
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
        with np.errstate(over="ignore", invalid="ignore"):
            distances = distances_from_coords(coords, weight_type)
    elif distances.ndim != 2 or distances.shape[0] != distances.shape[1]:
        raise InputError(f"field 'distances' must be a square matrix, got shape {distances.shape}", source=source)
    known_optimum = _number(doc, "known_optimum", source)
    return Instance(
        problem=problem,
        distances=distances,
        coords=coords,
        demands=_array(doc, "demands", source),
        capacity=_number(doc, "capacity", source),
        name=_text(doc, "name", source, Path(source).stem),
        edge_weight_type=weight_type,
        known_optimum=known_optimum,
        optimum_source=None if known_optimum is None else "JSON field 'known_optimum'",
        source=source,
        **{key: _array(doc, key, source) for key in SCHEDULE_FIELDS},
    )


def read_json_document(path: str | Path) -> object:
    """A JSON file's content; a missing file or invalid JSON is an `InputError` naming the file and line."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not an instance file", source=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("is not a text file", source=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", source=str(path), line=exc.lineno) from None


def read_json_instance(path: str | Path) -> Instance:
    """Read a JSON instance file."""
    return instance_from_dict(read_json_document(path), source=str(path))


def instance_to_dict(instance: Instance) -> dict:
    """The JSON form of an instance (coordinates when the costs derive from them, else the matrix)."""
    if instance.problem in PROFILED_PROBLEMS:
        return profiled_instance_to_dict(instance)
    doc: dict = {"problem": instance.problem, "name": instance.name}
    if instance.coords is not None:
        doc["coords"] = instance.coords.tolist()
    if instance.coords is None or instance.edge_weight_type == "EXPLICIT":
        doc["distances"] = instance.distances.tolist()
    doc["edge_weight_type"] = instance.edge_weight_type
    if instance.demands is not None:
        doc["demands"] = instance.demands.tolist()
        doc["capacity"] = instance.capacity
    for key in SCHEDULE_FIELDS:
        if getattr(instance, key) is not None:
            doc[key] = getattr(instance, key).tolist()
    if instance.known_optimum is not None:
        doc["known_optimum"] = instance.known_optimum
    return doc
