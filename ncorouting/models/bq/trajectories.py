"""Labelled solutions as BQ training states: every suffix of an expert solution is an expert solution
of its own sub-problem, so one labelled instance yields a state of every size.

A trajectory is the instance's nodes in solution order: TSP the tour with its start appended ([t0, t1,
..., t_{N-1}, t0]), ATSP the same node order with the instance's cost matrix; CVRP [depot, clients of
the routes sorted by leftover capacity, fullest first, depot], with per position the via-depot flag (1
where a route starts, read from the route boundaries) and the capacity left after serving it. The state
of a suffix starting at position s has the origin at s, the candidates after it and the destination
last; the expert's next node is always candidate 0 (with its via flag for CVRP)."""

from __future__ import annotations

import numpy as np
import torch
from tensordict import TensorDict

from ncorouting.models.bq.labels import LabelSet, routes_from_arrays
from ncorouting.models.bq.state import atsp_inputs, cvrp_features, cvrp_option_mask, sub_matrix, tsp_features


def closed_tours(labels: LabelSet) -> torch.Tensor:
    """Cities along each labelled tour, back to its start: [K, N+1]."""
    tour = torch.as_tensor(labels.solutions["tour"])
    return torch.cat([tour, tour[:, :1]], dim=1)


def tsp_trajectories(labels: LabelSet) -> TensorDict:
    """`xy` [K, N+1, 2]: cities along each tour, back to the start."""
    closed = closed_tours(labels)
    xy = labels.instances["locs"].float().gather(1, closed[..., None].expand(-1, -1, 2))
    return TensorDict({"xy": xy}, batch_size=[len(labels)])


def atsp_trajectories(labels: LabelSet) -> TensorDict:
    """`nodes` [K, N+1]: cities along each tour, back to the start; `dist` [K, N, N]: the costs."""
    dist = labels.instances["dist"].float()
    return TensorDict({"nodes": closed_tours(labels), "dist": dist}, batch_size=[len(labels)])


def sorted_routes(routes: list[list[int]], demand: np.ndarray) -> list[list[int]]:
    """Routes by leftover capacity, ascending: the fullest route first (the paper's order)."""
    return sorted(routes, key=lambda r: -float(demand[np.asarray(r) - 1].sum()))


def cvrp_trajectories(labels: LabelSet) -> TensorDict:
    """`xy` [K, N+2, 2], `demand` and `capacity_left` [K, N+2] (fractions of capacity), `via` [K, N+2]."""
    demand_all = labels.instances["demand"].double().numpy()
    locs, depot = labels.instances["locs"].float(), labels.instances["depot"].float()
    size = demand_all.shape[1]
    order = np.zeros((len(labels), size + 2), dtype=np.int64)  # node indices, depot 0, clients 1..N
    via = np.zeros((len(labels), size + 2), dtype=bool)
    left = np.ones((len(labels), size + 2))
    for row in range(len(labels)):
        demand = demand_all[row]
        pos = 1
        for route in sorted_routes(routes_from_arrays("cvrp", labels.solutions, row), demand):
            capacity = 1.0
            for i, node in enumerate(route):
                capacity -= demand[node - 1]
                order[row, pos], via[row, pos], left[row, pos] = node, i == 0, capacity
                pos += 1
    nodes_xy = torch.cat([depot[:, None], locs], dim=1)
    index = torch.as_tensor(order)
    padded = torch.cat([torch.zeros(len(labels), 1), labels.instances["demand"].float()], dim=1)
    return TensorDict(
        {
            "xy": nodes_xy.gather(1, index[..., None].expand(-1, -1, 2)),
            "demand": padded.gather(1, index),
            "capacity_left": torch.as_tensor(left, dtype=torch.float32),
            "via": torch.as_tensor(via),
        },
        batch_size=[len(labels)],
    )


def trajectories(labels: LabelSet) -> TensorDict:
    """The training trajectories of a label set."""
    builders = {"tsp": tsp_trajectories, "cvrp": cvrp_trajectories, "atsp": atsp_trajectories}
    return builders[labels.request.problem](labels)


def trajectory_length(traj: TensorDict) -> int:
    """Tokens in a whole trajectory (its largest state)."""
    return traj["nodes" if "nodes" in traj.keys() else "xy"].size(1)


def suffix_sizes(problem: str, length: int) -> tuple[int, int]:
    """Smallest and largest suffix (in tokens) worth training on: (A)TSP needs 2 candidates to have a
    choice (4 tokens); a single CVRP client still has two options (3 tokens). The largest is the start."""
    return (3 if problem == "cvrp" else 4), length


def dihedral(xy: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Each row [B, L, 2] under a random symmetry of the square (axis swap and reflections); the
    states are rescaled into their own box afterwards, so reflections need no offset."""
    batch = xy.size(0)
    flips = torch.randint(0, 2, (batch, 3), generator=generator).bool()
    xy = torch.where(flips[:, None, 0:1], xy.flip(-1), xy)
    return xy * torch.where(flips[:, None, 1:], -1.0, 1.0)


def suffix_states(
    traj: TensorDict, problem: str, size: int
) -> tuple[tuple[torch.Tensor, ...], torch.Tensor, torch.Tensor]:
    """Network inputs (tokens [B, size, F]; ATSP also costs [B, size, size]), allowed options
    [B, size-2, options] and the expert's class [B] of the suffix states with `size` tokens."""
    batch = traj.batch_size[0]
    start = trajectory_length(traj) - size
    if problem == "atsp":
        allowed = torch.ones(batch, size - 2, 1, dtype=torch.bool)
        inputs = atsp_inputs(sub_matrix(traj["dist"], traj["nodes"][:, start:]))
        return inputs, allowed, torch.zeros(batch, dtype=torch.int64)
    xy = traj["xy"]
    origin, candidates, dest = xy[:, start], xy[:, start + 1 : -1], xy[:, -1]
    if problem == "tsp":
        allowed = torch.ones(batch, size - 2, 1, dtype=torch.bool)
        return (tsp_features(origin, candidates, dest),), allowed, torch.zeros(batch, dtype=torch.int64)
    demand = traj["demand"][:, start + 1 : -1]
    capacity = traj["capacity_left"][:, start]
    at_depot = torch.full((batch,), start == 0)
    tokens = cvrp_features(origin, candidates, dest, demand, capacity)
    return (tokens,), cvrp_option_mask(demand, capacity, at_depot), traj["via"][:, start + 1].long()


def augment(traj: TensorDict, problem: str, generator: torch.Generator | None = None) -> TensorDict:
    """A random square symmetry per trajectory; TSP tours also reversed at random (equally optimal).
    ATSP states have no coordinates and the network does not see node order: nothing to augment."""
    if problem == "atsp":
        return traj
    xy = dihedral(traj["xy"], generator)
    if problem == "tsp":
        reverse = torch.randint(0, 2, (xy.size(0),), generator=generator).bool()
        xy = torch.where(reverse[:, None, None], xy.flip(1), xy)
    out = traj.clone(recurse=False)
    out["xy"] = xy
    return out
