"""Relaxed problems for the intention annotator: where would the vehicle go next if a constraint
did not exist? Each returns the set of next nodes an optimal relaxed solution takes from the current
position (two for a symmetric tour leaving the depot, whose direction is free).

- `tsp_next`: no capacity, no time windows; the shortest path from the current node through every
  candidate back to the depot. LKH-3 (elkai, one run) above `EXACT_UP_TO` candidates, else exact.
- `cvrp_next`: capacity kept, time windows dropped; OR-Tools with the trip's prefix locked.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import elkai._elkai as elkai_lkh  # elkai's public API hides RUNS/MAX_TRIALS
import numpy as np

from ncorouting.baselines.lkh import _matrix_section, _parameters
from ncorouting.explain.schedule import path_cost
from ncorouting.instance import Instance

#: Candidate sets up to this size are solved by enumerating every order.
EXACT_UP_TO = 6
#: Integer resolution of the weights handed to LKH.
WEIGHT_RANGE = 10_000


def _lkh_path(d: np.ndarray, nodes: list[int]) -> list[int]:
    """LKH order of `nodes` (nodes[0] = start, nodes[-1] = the depot end) as a path from start to end."""
    sub = d[np.ix_(nodes, nodes)]
    scale = WEIGHT_RANGE / max(float(sub.max()), 1e-12)
    big = WEIGHT_RANGE * len(nodes)
    weights = np.rint(sub * scale).astype(np.int64) + big
    np.fill_diagonal(weights, 0)
    symmetric = bool(np.allclose(sub, sub.T))
    weights[-1, 0] = 0  # depot -> start is forced: every other tour edge costs `big` more
    if symmetric:
        weights[0, -1] = 0
    kind = "TSP" if symmetric else "ATSP"
    problem = "\n".join([f"TYPE : {kind}", f"DIMENSION : {len(nodes)}", *_matrix_section(weights), "EOF"])
    params = _parameters(":stdin:", len(nodes), 1, 10.0, 0)
    tour = [int(v) - 1 for v in elkai_lkh.solve_problem(params, problem + "\n")]
    k = tour.index(0)
    tour = tour[k:] + tour[:k]
    if tour[1] == len(nodes) - 1:  # a symmetric tour read the other way round
        tour = [0, *reversed(tour[1:])]
    return [nodes[i] for i in tour[1:-1]]


def tsp_next(instance: Instance, here: int, candidates: Sequence[int]) -> set[int]:
    """First node of the shortest path here -> every candidate -> depot (from the depot: a tour)."""
    cand = [int(c) for c in candidates]
    if not cand:
        return {0}
    d = instance.distances
    if len(cand) <= EXACT_UP_TO:
        best = min(itertools.permutations(cand), key=lambda order: path_cost(d, [here, *order, 0]))
    else:
        best = _lkh_path(d, [here, *cand, 0])
    if here == 0 and np.allclose(d, d.T):
        return {best[0], best[-1]}
    return {best[0]}


def cvrp_next(
    instance: Instance, prefix: Sequence[int], candidates: Sequence[int], vehicle: int | None, solver
) -> set[int]:
    """Next node of the trip that starts with `prefix` in a CVRP (no time windows) over the candidates,
    solved by `solver` (OR-Tools); from the depot, the ends of every trip."""
    nodes = [0, *prefix, *candidates]
    sub = dataclasses.replace(
        instance,
        problem="cvrp",
        distances=instance.distances[np.ix_(nodes, nodes)] * instance.vehicle(vehicle).cost_per_distance,
        coords=None if instance.coords is None else instance.coords[nodes],
        demands=instance.demands[nodes],
        capacity=instance.vehicle(vehicle).capacity,
        durations=None,
        time_windows=None,
        service_times=None,
        fleet=None,
        allowed_vehicles=None,
        route_prefixes=[list(range(1, len(prefix) + 1))] if prefix else None,
        name=f"{instance.name}-relaxed",
    )
    try:
        routes = solver.solve(sub).routes
    except RuntimeError:
        return set()
    if not prefix:
        return {nodes[r[0]] for r in routes} | {nodes[r[-1]] for r in routes}
    trip = next(r for r in routes if r[: len(prefix)] == list(range(1, len(prefix) + 1)))
    return {nodes[trip[len(prefix)]] if len(trip) > len(prefix) else 0}
