"""Cheap stand-ins for the annotator's relaxations (edge-classifier features): valid paths and trips,
exact 2-opt on asymmetric matrices, and hand-checked verdicts."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from helpers import small_cvrp

from ncorouting.explain.ec_features import route_sample
from ncorouting.explain.ec_proxies import (
    QUICK_RELAXATION_ITERATIONS,
    insertion_path,
    relaxation_features,
    savings_next,
    savings_trips,
)
from ncorouting.explain.relaxed import cvrp_next
from ncorouting.explain.schedule import path_cost


@pytest.mark.parametrize("symmetric", [True, False])
def test_insertion_path_visits_every_node_once_and_no_reversal_improves_it(symmetric):
    """Ends fixed, each node once; 2-opt leaves no improving reversal, counted with the reversed
    segment's own edges (exact on an asymmetric matrix)."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        d = rng.uniform(1, 10, (9, 9))
        d = (d + d.T) / 2 if symmetric else d
        np.fill_diagonal(d, 0)
        path = insertion_path(d, 4, [1, 2, 3, 5, 6, 7, 8], 0)
        assert path[0] == 4 and path[-1] == 0 and sorted(path[1:-1]) == [1, 2, 3, 5, 6, 7, 8]
        cost = path_cost(d, path)
        for i, j in itertools.combinations(range(1, len(path) - 1), 2):
            turned = path[:i] + path[i : j + 1][::-1] + path[j + 1 :]
            assert path_cost(d, turned) >= cost - 1e-9


def test_savings_trips_respect_the_load_left_and_the_capacity():
    """Every node on one trip; the trip from `here` keeps it first and carries at most the load left,
    the others at most the capacity."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        xy = rng.uniform(0, 1, (12, 2))
        d = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
        demands = rng.integers(1, 10, 12).astype(float)
        trips = savings_trips(d, 3, range(4, 12), demands, left=9.0, capacity=20.0, symmetric=True)
        assert sorted(v for t in trips for v in t) == [3, *range(4, 12)]
        mine = next(t for t in trips if t[0] == 3)
        assert demands[mine[1:]].sum() <= 9.0
        assert all(demands[t].sum() <= 20.0 for t in trips if t is not mine)


def test_relaxation_features_on_a_line():
    """small_cvrp (clients at x = 1, 2, -1, -2, demand 2, capacity 4, length scale 4), at client 2 with
    2 left: the shortest path on to the depot goes to client 1 first, and so do savings trips (client 1
    fits the load left, 3 and 4 share a trip). Made to go to client 3 first the path is 2 longer (8 vs 6);
    a return to the depot with clients left is never the path's step."""
    inst = small_cvrp()
    d, dem = inst.distances, inst.demands
    assert relaxation_features(d, 2, 1, [1, 3, 4], dem, 2.0, 4.0, 4.0) == (1.0, 0.0, 1.0)
    assert relaxation_features(d, 2, 3, [1, 3, 4], dem, 2.0, 4.0, 4.0) == (0.0, pytest.approx(0.5), 0.0)
    assert relaxation_features(d, 2, 0, [1, 3, 4], dem, 2.0, 4.0, 4.0) == (0.0, 1.0, 0.0)
    assert savings_next(d, 0, savings_trips(d, 0, [1, 2, 3, 4], dem, 4.0, 4.0, symmetric=True)) == {
        1,
        2,
        3,
        4,
    }  # from the depot: every trip's ends
    assert relaxation_features(d, 2, 1, [1, 3, 4], None, 2.0, np.inf, 4.0) == (1.0, 0.0, 1.0)
    state = route_sample(inst, [2, 1]).state
    assert state[1, 16:20].tolist() == [1.0, 0.0, 1.0, 0.0]  # CVRP: its annotator solves no capacity-only relaxation


def test_quick_capacity_relaxation_feature_with_time_windows():
    """small_cvrp with windows that never bind: on every edge with candidates the last state number is
    whether the annotator's capacity-only relaxation at the quick iteration count goes to the head; at
    client 2 with 2 left it goes to client 1 (3 and 4 share a trip), and a far detour to 3 is not its step."""
    inst = small_cvrp()
    windowed = dataclasses.replace(
        inst, problem="cvrptw", time_windows=np.array([[0.0, 100.0]] * 5), service_times=np.zeros(5)
    )
    for route, expected in (([2, 1], [1.0, 1.0, 0.0]), ([2, 3], [1.0, 0.0, 0.0])):
        state = route_sample(windowed, route).state
        assert state[:, 19].tolist() == expected
    assert cvrp_next(windowed, [2], [1, 3, 4], None, QUICK_RELAXATION_ITERATIONS) == {1}
