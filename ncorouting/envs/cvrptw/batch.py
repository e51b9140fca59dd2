"""CVRPTW instances to environment batches and back.

Coordinates are scaled into the unit square as for CVRP. Times are shifted so the depot opens at 0 and
scaled: by the same factor as the coordinates when travel times are the Euclidean distances (Solomon
files, our generator), else so that the horizon matches the generator's. `dist` and `travel_time`
matrices are attached whenever costs or times do not follow from the coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from tensordict import TensorDict

from ncorouting.envs.cvrptw.checker import cvrptw_instance_errors
from ncorouting.envs.cvrptw.generator import CVRPTWGenerator
from ncorouting.instance import Instance, distances_from_coords

#: Horizon of the generator's instances: other time units are scaled to it.
TRAINING_HORIZON = CVRPTWGenerator().horizon


def neural_support(instance: Instance) -> str | None:
    """Why the CVRPTW environment cannot represent `instance` (None when it can)."""
    reason = cvrptw_instance_errors(instance)
    if reason is None and (instance.allowed_vehicles or instance.route_prefixes):
        reason = "the CVRPTW policy does not handle allowed vehicles or route prefixes"
    if reason is None and instance.fleet is not None:
        first = instance.fleet[0]
        if any(v != first for v in instance.fleet) or first.speed != 1 or first.cost_per_distance != 1:
            reason = "the CVRPTW policy needs identical vehicles of speed 1 and unit cost"
    return reason


def fleet_vehicles(instance: Instance, routes: Sequence[Sequence[int]]) -> list[int] | None:
    """Vehicles for routes on an identical fleet (route k drives vehicle k); None without a fleet."""
    return None if instance.fleet is None else list(range(len(routes)))


def capacity_of(instance: Instance) -> float:
    """The capacity every vehicle has (the instance's, or its identical fleet's)."""
    return float(instance.capacity if instance.fleet is None else instance.fleet[0].capacity)


def _scales(instance: Instance) -> tuple[np.ndarray, float, float]:
    """Unit-square coordinates, the length scale and the time scale of one instance."""
    xy = instance.coords
    length = 1.0
    if xy.min() < 0 or xy.max() > 1:
        length = max(float(np.ptp(xy, axis=0).max()), 1e-12)
        xy = (xy - xy.min(0)) / length
    euclidean_times = instance.durations is None and instance.edge_weight_type != "EXPLICIT"
    tw = instance.time_windows
    horizon = float(tw[0, 1] - tw[0, 0])
    return xy, length, length if euclidean_times else max(horizon, 1e-12) / TRAINING_HORIZON


def cvrptw_batch(instances: Sequence[Instance]) -> TensorDict:
    """Same-size CVRPTW instances as a `CVRPTWEnv` input batch."""
    fields: dict[str, list[np.ndarray]] = {k: [] for k in ("depot", "locs", "demand", "time_windows", "service_time")}
    dists, travels = [], []
    for inst in instances:
        xy, length, time_unit = _scales(inst)
        fields["depot"].append(xy[0])
        fields["locs"].append(xy[1:])
        fields["demand"].append(inst.demands[1:] / capacity_of(inst))
        fields["time_windows"].append((inst.time_windows - inst.time_windows[0, 0]) / time_unit)
        service = inst.service_times if inst.service_times is not None else np.zeros(inst.num_nodes)
        fields["service_time"].append(service / time_unit)
        dists.append(inst.distances / length)
        travels.append(inst.travel_times / time_unit)
    batch = {k: torch.as_tensor(np.stack(v), dtype=torch.float32) for k, v in fields.items()}
    if not all(inst.is_exact_euclidean for inst in instances):
        batch["dist"] = torch.as_tensor(np.stack(dists), dtype=torch.float32)
    if not all(inst.durations is None and inst.is_exact_euclidean for inst in instances):
        batch["travel_time"] = torch.as_tensor(np.stack(travels), dtype=torch.float32)
    return TensorDict(batch, batch_size=[len(instances)])


def cvrptw_instances(td: TensorDict, name: str = "gen") -> list[Instance]:
    """One exact-Euclidean CVRPTW `Instance` per row of a generated batch (integer demands restored)."""
    out = []
    for b in range(td.batch_size[0]):
        coords = np.vstack([td["depot"][b].double().numpy(), td["locs"][b].double().numpy()])
        capacity = float(td["capacity"][b].reshape(-1)[0])
        demands = np.rint(np.concatenate([[0.0], td["demand"][b].double().numpy() * capacity]))
        out.append(
            Instance(
                problem="cvrptw",
                distances=distances_from_coords(coords),
                coords=coords,
                demands=demands,
                capacity=capacity,
                time_windows=td["time_windows"][b].double().numpy(),
                service_times=td["service_time"][b].double().numpy(),
                name=f"{name}-{b}",
            )
        )
    return out


__all__ = ["capacity_of", "cvrptw_batch", "cvrptw_instances", "fleet_vehicles", "neural_support"]
