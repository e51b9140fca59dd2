"""Real-world instances between two forms: environment batches (what policies read: min-max normalised
coordinates, matrices, normalised times) and `Instance`s (what checkers and classical solvers read:
km, minutes, longitude/latitude), plus sampling instances from a city."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from tensordict import TensorDict

from ncorouting.envs import make_env
from ncorouting.errors import InputError
from ncorouting.instance import Instance
from ncorouting.realworld.city import City
from ncorouting.realworld.sampling import load_cities

#: Real-world problems and whether node 0 is a depot.
REALWORLD_PROBLEMS = {"atsp": False, "acvrp": True, "acvrptw": True}


def _check_problem(problem: str) -> None:
    if problem not in REALWORLD_PROBLEMS:
        raise InputError(f"real-world problems are {', '.join(REALWORLD_PROBLEMS)}, not '{problem}'")


#: One city (a `City`, a city file or an OSM extract) or several.
Cities = City | str | Path | Sequence[City | str | Path]


def sample_batch(city: Cities, problem: str, size: int, count: int, seed: int = 0) -> TensorDict:
    """`count` instances of `size` nodes (ATSP) or clients (ACVRP/ACVRPTW) from the cities, reproducible."""
    _check_problem(problem)
    generator = make_env(problem, size, cities=load_cities(city or [])).generator
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return generator(batch_size=[count])


def sample_instances(
    city: Cities, problem: str, size: int, count: int, seed: int = 0, name: str | None = None
) -> list[Instance]:
    """Sampled instances as `Instance`s (named `<city>-<problem><size>-<seed>-<i>` unless `name` is given)."""
    cities = load_cities(city or [])
    td = sample_batch(cities, problem, size, count, seed)
    base = name or f"{cities[0].name}-{problem}{size}-{seed}"
    return instances_from_batch(problem, td, base)


def instances_from_batch(problem: str, td: TensorDict, name: str = "city") -> list[Instance]:
    """One `Instance` per row of a generated batch: km distances, minute durations and windows, lon/lat."""
    _check_problem(problem)
    out = []
    for b in range(td.batch_size[0]):
        fields: dict = {
            "distances": td["dist"][b].double().numpy(),
            "coords": td["lonlat"][b].numpy() if "lonlat" in td.keys() else None,
            "edge_weight_type": "EXPLICIT",
            "name": f"{name}-{b}",
        }
        if REALWORLD_PROBLEMS[problem]:
            capacity = float(td["capacity"][b].reshape(-1)[0])
            fields["demands"] = np.rint(np.concatenate([[0.0], td["demand"][b].double().numpy() * capacity]))
            fields["capacity"] = capacity
        if problem == "acvrptw":
            scale = float(td["time_scale"][b].reshape(-1)[0])  # minutes per normalised time unit
            fields["durations"] = td["travel_time"][b].double().numpy() * scale
            fields["time_windows"] = td["time_windows"][b].double().numpy() * scale
            fields["service_times"] = td["service_time"][b].double().numpy() * scale
        out.append(Instance(problem=problem, **fields))
    return out


def pseudo_coords(distances: np.ndarray) -> np.ndarray:
    """2-D positions whose Euclidean distances approximate the symmetrised matrix (classical MDS), for
    instances given by a matrix alone (`.atsp` files): RRNCO's coordinate features and angles need some."""
    sym = (distances + distances.T) / 2
    n = sym.shape[0]
    centre = np.eye(n) - np.full((n, n), 1.0 / n)
    gram = -0.5 * centre @ (sym**2) @ centre
    values, vectors = np.linalg.eigh(gram)
    top = np.argsort(values)[::-1][:2]
    return vectors[:, top] * np.sqrt(np.clip(values[top], 0.0, None))


def _unit_box(xy: np.ndarray) -> np.ndarray:
    """Min-max per axis into [0, 1] (as the generators normalise coordinates)."""
    low, span = xy.min(0), np.ptp(xy, axis=0)
    return (xy - low) / np.where(span > 0, span, 1.0)


def batch_from_instances(instances: Sequence[Instance]) -> TensorDict:
    """Same-problem, same-size instances as an environment input batch (the inverse of
    `instances_from_batch`, up to float32)."""
    problem = instances[0].problem
    _check_problem(problem)
    rows: dict[str, list[np.ndarray]] = {}

    def put(key: str, value) -> None:
        rows.setdefault(key, []).append(np.asarray(value, dtype=np.float64))

    for inst in instances:
        xy = _unit_box(inst.coords if inst.coords is not None else pseudo_coords(inst.distances))
        put("dist", inst.distances)
        if not REALWORLD_PROBLEMS[problem]:
            put("locs", xy)
            continue
        put("depot", xy[0])
        put("locs", xy[1:])
        put("demand", inst.demands[1:] / inst.capacity)
        put("capacity", [inst.capacity])
        if problem == "acvrptw":
            scale = max(float(inst.travel_times.max()), 1e-12)
            service = inst.service_times if inst.service_times is not None else np.zeros(inst.num_nodes)
            put("travel_time", inst.travel_times / scale)
            put("time_windows", (inst.time_windows - inst.time_windows[0, 0]) / scale)
            put("service_time", service / scale)
            put("time_scale", [scale])
    batch = {k: torch.as_tensor(np.stack(v), dtype=torch.float32) for k, v in rows.items()}
    return TensorDict(batch, batch_size=[len(instances)])
