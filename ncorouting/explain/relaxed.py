"""Relaxed problems for the intention annotator: where would the vehicle go next if a constraint
did not exist? Each returns the set of next nodes an optimal relaxed solution takes from the current
position (two for a symmetric tour leaving the depot, whose direction is free).

- `tsp_next`: no capacity, no time windows; the shortest path from the current node through every
  candidate back to the depot. LKH-3 (elkai, one run) above `EXACT_UP_TO` candidates, else exact.
- `cvrp_next`: capacity kept, time windows dropped; PyVRP from the trip's current node with the load left.
  It runs to convergence: OR-Tools stopped after 50 solutions (the annotator's earlier solver) went elsewhere
  than the converged relaxation on about one verdict in five (docs/explain.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import elkai._elkai as elkai_lkh  # elkai's public API hides RUNS/MAX_TRIALS
import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve
from pyvrp.stop import MaxIterations

from ncorouting.baselines.lkh import _matrix_section, _parameters
from ncorouting.baselines.ortools import power_of_ten_scale
from ncorouting.baselines.pyvrp_hgs import COST_RANGE, FORBIDDEN, LOAD_RANGE
from ncorouting.explain.schedule import path_cost, route_load
from ncorouting.instance import Instance

#: Candidate sets up to this size are solved by enumerating every order.
EXACT_UP_TO = 6
#: Integer resolution of the weights handed to LKH.
WEIGHT_RANGE = 10_000
#: PyVRP iterations for the capacity-only relaxation (seeded, so labels are reproducible).
RELAXED_ITERATIONS = 300


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


def _continuation_data(instance: Instance, prefix: Sequence[int], candidates: list[int], vehicle: int | None):
    """PyVRP data of the capacity-only relaxation. Away from the depot the trip's rest is a route that must
    open with a zero-demand stand-in for the current node: only the first vehicle type (one vehicle, the load
    left) may reach it, from the depot at no cost, and must go there first; every other vehicle starts empty."""
    here = prefix[-1] if prefix else 0
    nodes = [0, *([here] if prefix else []), *candidates]
    sub = instance.distances[np.ix_(nodes, nodes)]
    arcs = np.rint(sub * (COST_RANGE / max(float(sub.max()), 1e-12))).astype(np.int64)
    capacity = instance.vehicle(vehicle).capacity
    demands = instance.demands[candidates]
    if not np.isfinite(capacity):
        capacity = float(instance.demands.sum())
    scale = power_of_ten_scale(np.append(demands, capacity), LOAD_RANGE)
    loads = np.ceil(demands * scale - 1e-6).astype(np.int64)
    full = int(np.floor(capacity * scale + 1e-6))
    clients = [Client(k + 1 + int(bool(prefix)), delivery=[int(x)]) for k, x in enumerate(loads)]
    others = VehicleType(len(candidates), capacity=[full], profile=int(bool(prefix)))
    if not prefix:
        matrices, vehicle_types = [arcs], [others]
    else:
        left = int(np.floor((capacity - route_load(instance, prefix)) * scale + 1e-6))
        clients.insert(0, Client(1, delivery=[0]))
        mine, rest = arcs.copy(), arcs.copy()
        mine[0, 1], mine[0, 2:], mine[2:, 1] = 0, FORBIDDEN, FORBIDDEN
        rest[:, 1], rest[1, :] = FORBIDDEN, FORBIDDEN
        matrices, vehicle_types = [mine, rest], [VehicleType(1, capacity=[max(left, 0)], profile=0), others]
    for m in matrices:
        np.fill_diagonal(m, 0)
    return ProblemData(
        [Location(0.0, 0.0) for _ in nodes],
        clients,
        [Depot(0)],
        vehicle_types,
        matrices,
        [np.zeros_like(arcs) for _ in matrices],
    )


def cvrp_next(
    instance: Instance,
    prefix: Sequence[int],
    candidates: Sequence[int],
    vehicle: int | None,
    iterations: int = RELAXED_ITERATIONS,
) -> set[int]:
    """Next node of the trip that continues `prefix` in a CVRP over the candidates (capacity kept, time
    windows dropped), solved by PyVRP with a fixed seed; from the depot, the ends of every trip."""
    cand = [int(c) for c in candidates]
    if not cand:
        return {0}
    data = _continuation_data(instance, prefix, cand, vehicle)
    best = solve(data, stop=MaxIterations(iterations), seed=0, collect_stats=False).best
    if not best.is_feasible():
        raise RuntimeError(f"{instance.name}: PyVRP found no feasible capacity-only relaxation")
    # a client activity's idx counts clients from 0; the stand-in, if any, is client 0
    first = int(bool(prefix))
    trips = [[cand[a.idx - first] for a in route if a.is_client() and a.idx >= first] for route in best.routes()]
    if not prefix:
        return {t[0] for t in trips if t} | {t[-1] for t in trips if t}
    mine = next(t for t, route in zip(trips, best.routes(), strict=True) if route.vehicle_type() == 0)
    return {mine[0] if mine else 0}
