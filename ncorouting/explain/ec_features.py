"""Inputs of the edge classifier, per route: node features of the whole instance, and for each edge
its two end nodes and the state when it is taken (all scaled to the unit square and the horizon).

Node: x, y, depot flag, demand / capacity, and with time windows: open, close, service (/ horizon).
State before edge t: remaining capacity share, time / horizon, the edge's length, the slack left at its
head ((close - service start) / horizon), the wait there, the shares of unserved clients that still
fit the load, can be reached in time, and both, and where the edge stands among the clients the vehicle could
visit next: the share of them nearer than its head, and the nearest one's distance (the rule annotator's first
relaxation, the shortest path through them, mostly takes a near one); how binding capacity is (their total
demand against the load left, clipped at 4x), the head's and the nearest one's demand against the load left
(its second relaxation keeps capacity only); how urgent the head is among them (shares closing earlier and
with less slack if visited directly) and the wait at the nearest one (time windows, its last class);
what cheap stand-ins for the annotator's two relaxations do (`ec_proxies`): whether a quick path through
the candidates goes to the head first and how much longer it gets if made to, and whether savings trips
within the load left go there next; with time windows, whether the annotator's own capacity-only
relaxation, cut to a few iterations, goes there next (0 for problems whose annotator solves no such
relaxation: its cost, about 3 ms an edge, buys nothing there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ncorouting.explain.annotate import solves_capacity_relaxation
from ncorouting.explain.ec_proxies import QUICK_RELAXATION_ITERATIONS, relaxation_features
from ncorouting.explain.relaxed import cvrp_next
from ncorouting.explain.schedule import leave_time, reachable, route_load, route_times
from ncorouting.instance import Instance

NODE_DIM = 7
STATE_DIM = 20
#: Total candidate demand beyond this many loads counts as this many.
BINDING_CLIP = 4.0


@dataclass
class RouteSample:
    """One route as classifier input (and, for training, its rule labels as class indices)."""

    nodes: torch.Tensor  # [N, NODE_DIM]
    source: torch.Tensor  # [L] node index where each edge starts
    target: torch.Tensor  # [L]
    state: torch.Tensor  # [L, STATE_DIM]
    labels: torch.Tensor | None = None  # [L]


def _scales(instance: Instance) -> tuple[np.ndarray, float, float, float]:
    """Unit-square coordinates, length scale, horizon start and length."""
    xy = instance.coords
    length = max(float(np.ptp(xy, axis=0).max()), 1e-12)
    xy = (xy - xy.min(0)) / length
    if instance.time_windows is None:
        return xy, length, 0.0, 1.0
    tw = instance.time_windows
    return xy, length, float(tw[0, 0]), max(float(tw[0, 1] - tw[0, 0]), 1e-12)


def node_features(instance: Instance) -> torch.Tensor:
    """[N, NODE_DIM] features of every node."""
    xy, _, t0, horizon = _scales(instance)
    n = instance.num_nodes
    feats = np.zeros((n, NODE_DIM))
    feats[:, :2] = xy
    feats[0, 2] = 1.0
    if instance.demands is not None:
        feats[:, 3] = instance.demands / instance.vehicle(None).capacity
    if instance.time_windows is not None:
        feats[:, 4:6] = (instance.time_windows - t0) / horizon
        service = instance.service_times if instance.service_times is not None else np.zeros(n)
        feats[:, 6] = service / horizon
    return torch.as_tensor(feats, dtype=torch.float32)


def route_sample(
    instance: Instance, route: Sequence[int], vehicle: int | None = None, nodes: torch.Tensor | None = None
) -> RouteSample:
    """Classifier input for the len(route) + 1 edges of one route."""
    _, length, t0, horizon = _scales(instance)
    path = [0, *route, 0]
    clients = np.arange(1, instance.num_nodes)
    capacity = instance.vehicle(vehicle).capacity
    times = route_times(instance, route, vehicle)
    state = np.zeros((len(path) - 1, STATE_DIM))
    symmetric = bool(np.allclose(instance.distances, instance.distances.T))
    capacity_relaxed = solves_capacity_relaxation(instance.problem)
    for t in range(len(path) - 1):
        prefix, a, b = list(route[:t]), path[t], path[t + 1]
        unserved = clients[~np.isin(clients, prefix)]
        reach = reachable(instance, prefix, unserved, vehicle)
        share = max(unserved.size, 1)
        load = route_load(instance, prefix)
        state[t, 0] = 1.0 - load / capacity if np.isfinite(capacity) else 1.0
        state[t, 2] = instance.distances[a, b] / length
        state[t, 5] = (reach.fits & reach.allowed).sum() / share
        state[t, 6] = (reach.in_time & reach.allowed).sum() / share
        state[t, 7] = reach.feasible.sum() / share
        candidates = unserved[reach.feasible]
        nearest = None
        if candidates.size:
            near = instance.distances[a, candidates]
            nearest = int(np.argmin(near))
            state[t, 8] = float((near < instance.distances[a, b]).sum()) / candidates.size
            state[t, 9] = float(near[nearest]) / length
        left = capacity - load
        if instance.demands is not None and np.isfinite(capacity) and left > 0:
            if candidates.size:
                demand = instance.demands[candidates]
                state[t, 10] = min(float(demand.sum()) / left, BINDING_CLIP) / BINDING_CLIP
                state[t, 12] = float(demand[nearest]) / left
            state[t, 11] = float(instance.demands[b]) / left if b != 0 else 0.0
        if candidates.size:
            state[t, 16:19] = relaxation_features(
                instance.distances, a, b, candidates, instance.demands, left, capacity, length, symmetric
            )
            if capacity_relaxed:
                quick = cvrp_next(instance, prefix, candidates.tolist(), vehicle, QUICK_RELAXATION_ITERATIONS)
                state[t, 19] = float(b in quick)
        if times is not None:
            leave = leave_time(instance, prefix, vehicle)
            speed = instance.vehicle(vehicle).speed
            state[t, 1] = (leave - t0) / horizon
            start = float(times.starts[t]) if b != 0 else times.back
            close = float(instance.time_windows[b, 1])
            arrival = leave + instance.travel_times[a, b] / speed
            state[t, 3] = (close - start) / horizon
            state[t, 4] = max(0.0, start - arrival) / horizon
            if candidates.size:
                tw = instance.time_windows[candidates]
                reach_at = leave + instance.travel_times[a, candidates] / speed
                slack = tw[:, 1] - np.maximum(reach_at, tw[:, 0])
                if b != 0:
                    state[t, 13] = float((tw[:, 1] < close).sum()) / candidates.size
                    state[t, 14] = float((slack < close - start).sum()) / candidates.size
                state[t, 15] = max(0.0, float(tw[nearest, 0] - reach_at[nearest])) / horizon
    return RouteSample(
        nodes=node_features(instance) if nodes is None else nodes,
        source=torch.as_tensor(path[:-1], dtype=torch.int64),
        target=torch.as_tensor(path[1:], dtype=torch.int64),
        state=torch.as_tensor(state, dtype=torch.float32),
    )


def collate(samples: Sequence[RouteSample]) -> dict[str, torch.Tensor]:
    """Pad routes (and instances of different sizes) into one batch with masks."""
    b = len(samples)
    n = max(s.nodes.size(0) for s in samples)
    steps = max(s.source.size(0) for s in samples)
    batch = {
        "nodes": torch.zeros(b, n, NODE_DIM),
        "node_mask": torch.zeros(b, n, dtype=torch.bool),
        "source": torch.zeros(b, steps, dtype=torch.int64),
        "target": torch.zeros(b, steps, dtype=torch.int64),
        "state": torch.zeros(b, steps, STATE_DIM),
        "edge_mask": torch.zeros(b, steps, dtype=torch.bool),
        "labels": torch.zeros(b, steps, dtype=torch.int64),
    }
    for i, s in enumerate(samples):
        size, length = s.nodes.size(0), s.source.size(0)
        batch["nodes"][i, :size] = s.nodes
        batch["node_mask"][i, :size] = True
        batch["source"][i, :length] = s.source
        batch["target"][i, :length] = s.target
        batch["state"][i, :length] = s.state
        batch["edge_mask"][i, :length] = True
        if s.labels is not None:
            batch["labels"][i, :length] = s.labels
    return batch
