"""The annotator's capacity-only relaxation against enumeration: where PyVRP says the trip goes next is
where an optimal relaxed solution goes, mid-trip (load left, current node fixed) and from the depot."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import pytest

from ncorouting.explain.relaxed import cvrp_next
from ncorouting.explain.schedule import path_cost
from ncorouting.instance import Instance


def random_instance(seed: int, symmetric: bool) -> Instance:
    """Eight clients of demand 1-4, capacity 6; the asymmetric one scales each arc by U[1, 1.4]."""
    rng = np.random.default_rng(seed)
    coords = rng.random((9, 2))
    distances = np.linalg.norm(coords[:, None] - coords[None], axis=-1)
    if not symmetric:
        distances = distances * rng.uniform(1.0, 1.4, distances.shape)
    demands = np.r_[0, rng.integers(1, 5, 8)].astype(float)
    return Instance("cvrp", distances, coords=coords, demands=demands, capacity=6.0, name=f"relaxed-{seed}")


def exact_continuation(instance: Instance, prefix: list[int], candidates: list[int]) -> set[int]:
    """By enumeration: the first node of the trip's rest in an optimal relaxed solution, or the ends of
    every trip of an optimal solution from the depot."""
    d, demands = instance.distances, instance.demands

    def best_path(start: int, nodes: tuple[int, ...]) -> tuple[float, tuple[int, ...]]:
        return min((path_cost(d, [start, *order, 0]), order) for order in itertools.permutations(nodes))

    @cache
    def trips(rest: frozenset[int]) -> tuple[float, tuple[tuple[int, ...], ...]]:
        if not rest:
            return 0.0, ()
        anchor, others = min(rest), sorted(rest - {min(rest)})
        found = []
        for k in range(len(others) + 1):
            for extra in itertools.combinations(others, k):
                trip = (anchor, *extra)
                if demands[list(trip)].sum() <= instance.capacity:
                    cost, order = best_path(0, trip)
                    tail_cost, tail = trips(rest - set(trip))
                    found.append((cost + tail_cost, (order, *tail)))
        return min(found)

    if not prefix:
        return {t[0] for t in trips(frozenset(candidates))[1]} | {t[-1] for t in trips(frozenset(candidates))[1]}
    left = instance.capacity - demands[prefix].sum()
    options = []
    for k in range(len(candidates) + 1):
        for mine in itertools.combinations(candidates, k):
            if demands[list(mine)].sum() <= left:
                cost, order = best_path(prefix[-1], mine)
                options.append((cost + trips(frozenset(candidates) - set(mine))[0], order[0] if order else 0))
    return {min(options)[1]}


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_capacity_relaxation_goes_where_an_optimal_solution_goes(seed, symmetric):
    instance = random_instance(seed, symmetric)
    for prefix in ([], [1], [2, 5]):
        left = instance.capacity - instance.demands[prefix].sum()
        candidates = [c for c in range(1, 9) if c not in prefix and instance.demands[c] <= left]
        found = cvrp_next(instance, prefix, candidates, None)
        assert found == exact_continuation(instance, prefix, candidates), (prefix, candidates)
        assert cvrp_next(instance, prefix, candidates, None) == found  # seeded: the same answer again


def test_capacity_relaxation_returns_when_the_load_left_splits_a_far_pair():
    """A vehicle beside the depot with room for one of two far neighbours: serving one now would cost a
    second far trip, so going home first (and then both in one trip) is optimal."""
    coords = np.array([[0, 0], [0.01, 0], [5, 5], [5, 5.1]], dtype=float)
    distances = np.linalg.norm(coords[:, None] - coords[None], axis=-1)
    instance = Instance("cvrp", distances, coords=coords, demands=np.array([0, 3, 1, 1.0]), capacity=4.0)
    assert cvrp_next(instance, [1], [2, 3], None) == {0} == exact_continuation(instance, [1], [2, 3])
