"""The PVRP objective as per-vehicle arc costs, for solvers that know only arc costs (OR-Tools, PyVRP).

Every client is entered exactly once, so charging alpha * (p_max - p[k, j]) on each arc of vehicle k into
client j (and nothing extra on arcs into the depot) adds alpha * n * p_max to J = (1 - alpha) * travel time
- alpha * preference: the same optimum, with non-negative arc costs. Forbidden arcs (zones) are infinite.
"""

from __future__ import annotations

import math

import numpy as np

from ncorouting.instance import Instance


def vehicle_arc_costs(instance: Instance) -> np.ndarray:
    """[m, N, N]: vehicle k's cost of arc (i, j), infinite into a client k may not serve."""
    alpha = instance.alpha
    speeds = np.array([v.speed for v in instance.fleet])
    costs = (1 - alpha) * instance.distances[None] / speeds[:, None, None]
    if instance.preferences is not None and alpha > 0:
        costs[:, :, 1:] += alpha * (instance.preferences.max() - instance.preferences[:, None, :])
    for client, allowed in (instance.allowed_vehicles or {}).items():
        forbidden = [k for k in range(len(instance.fleet)) if k not in allowed]
        costs[forbidden, :, client] = np.inf
    idx = np.arange(instance.num_nodes)
    costs[:, idx, idx] = 0.0
    return costs


def objective_shift(instance: Instance) -> float:
    """What `vehicle_arc_costs` adds to J for any feasible solution: alpha * n * p_max."""
    if instance.preferences is None:
        return 0.0
    return instance.alpha * instance.num_clients * float(instance.preferences.max())


def regret_offset(instance: Instance) -> float:
    """alpha * sum_j max_k p[k, j]: J plus this is (1 - alpha) * travel time plus the preference each client
    loses against its favourite vehicle, which is never negative. Gaps in % are taken on that scale, since J
    itself can be near zero or negative."""
    if instance.preferences is None:
        return 0.0
    return instance.alpha * float(instance.preferences.max(0).sum())


def trip_slots(instance: Instance, slack: float = 0.3) -> list[int]:
    """Per fleet vehicle, how many trips a route-per-vehicle solver should allow it: the bin-packing lower
    bound of the demand it may serve, plus slack, at most the number of clients it may serve."""
    allowed = instance.allowed_vehicles or {}
    slots = []
    for k, vehicle in enumerate(instance.fleet):
        clients = [j for j in range(1, instance.num_nodes) if k in allowed.get(j, [k])]
        lower = math.ceil(float(instance.demands[clients].sum()) / vehicle.capacity) if clients else 0
        slots.append(min(len(clients), lower + max(2, math.ceil(slack * lower))))
    return slots
