"""Between generated PVRP batches (TensorDicts), `Instance`s and the environment's actions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from tensordict import TensorDict

from ncorouting.instance import Instance, Vehicle, distances_from_coords


def instances_from_batch(problem: str, td: TensorDict, name: str = "gen") -> list[Instance]:
    """One exact-Euclidean PVRP `Instance` per row of a generator batch (node 0 the depot)."""
    arrays = {key: value.detach().cpu().double().numpy() for key, value in td.items()}
    out = []
    for b in range(td.batch_size[0]):
        coords = np.vstack([arrays["depot"][b][None], arrays["locs"][b]])
        demands = np.concatenate([[0.0], np.rint(arrays["demand"][b])])
        fleet = [
            Vehicle(capacity=float(c), speed=float(s))
            for c, s in zip(arrays["capacity"][b], arrays["speed"][b], strict=True)
        ]
        allowed, preferences = None, None
        if problem == "pvrp_zc":
            zone = arrays["zone"][b] > 0.5
            allowed = {j + 1: np.flatnonzero(zone[:, j]).tolist() for j in np.flatnonzero(~zone.all(0))}
        else:
            preferences = arrays["preference"][b]
        out.append(
            Instance(
                problem=problem,
                distances=distances_from_coords(coords),
                coords=coords,
                demands=demands,
                capacity=max(v.capacity for v in fleet),
                name=f"{name}-{b}",
                fleet=fleet,
                allowed_vehicles=allowed or None,
                preferences=preferences,
                alpha=float(arrays["alpha"][b]) if problem == "pvrp_p" else 0.0,
            )
        )
    return out


def unit_square(coords: np.ndarray) -> np.ndarray:
    """Coordinates as they are when inside the unit square, else scaled into it (aspect kept)."""
    if coords.min() >= 0 and coords.max() <= 1:
        return coords
    return (coords - coords.min(0)) / max(float(np.ptp(coords, axis=0).max()), 1e-12)


def instances_to_batch(instances: Sequence[Instance]) -> TensorDict:
    """Same-size PVRP instances (same problem, clients and fleet size) as a generator-style batch."""
    batch: dict[str, list] = {k: [] for k in ("depot", "locs", "demand", "capacity", "speed", "alpha")}
    profiles = []
    for inst in instances:
        xy = unit_square(inst.coords)
        batch["depot"].append(xy[0])
        batch["locs"].append(xy[1:])
        batch["demand"].append(inst.demands[1:])
        batch["capacity"].append([v.capacity for v in inst.fleet])
        batch["speed"].append([v.speed for v in inst.fleet])
        batch["alpha"].append(inst.alpha)
        if inst.problem == "pvrp_zc":
            zone = np.ones((len(inst.fleet), inst.num_clients), dtype=bool)
            for client, allowed in (inst.allowed_vehicles or {}).items():
                zone[:, client - 1] = False
                zone[allowed, client - 1] = True
            profiles.append(zone)
        else:
            profiles.append(inst.preferences)
    data = {k: torch.as_tensor(np.asarray(v), dtype=torch.float32) for k, v in batch.items()}
    key = "zone" if instances[0].problem == "pvrp_zc" else "preference"
    data[key] = torch.as_tensor(np.stack(profiles))
    if key == "preference":
        data[key] = data[key].float()
    return TensorDict(data, batch_size=[len(instances)])


def actions_to_trips(actions: torch.Tensor | np.ndarray) -> tuple[list[list[int]], list[int]]:
    """Actions [m, T] of one instance (env node indices: m depot copies first) as trips of instance nodes
    (clients 1..n) and the vehicle of each trip. A vehicle that stays put adds nothing."""
    actions = np.asarray(actions)
    m = actions.shape[0]
    routes, vehicles = [], []
    for k in range(m):
        trip: list[int] = []
        previous = k
        for node in actions[k].tolist():
            if node != previous and node >= m:
                trip.append(node - m + 1)
            elif node < m and trip:
                routes.append(trip)
                vehicles.append(k)
                trip = []
            previous = node
        if trip:
            routes.append(trip)
            vehicles.append(k)
    return routes, vehicles
