"""The one checker per problem: costs recomputed from routes, each defect named."""

import math

import numpy as np
import pytest
from helpers import small_cvrp, square_tsp

from ncorouting.envs.tsp.checker import tour_to_routes
from ncorouting.instance import Instance
from ncorouting.solution import Solution


def test_tsp_cost_from_routes():
    sol = Solution.from_routes(square_tsp(), [[1, 2, 3]], "hand", 0.0)
    assert sol.feasible and sol.reason is None
    assert sol.cost == pytest.approx(4.0)
    crossing = Solution.from_routes(square_tsp(), [[2, 1, 3]], "hand", 0.0)
    assert crossing.cost == pytest.approx(2 + 2 * math.sqrt(2))


@pytest.mark.parametrize(
    "routes, reason",
    [
        ([[1, 2]], "never visited"),
        ([[1, 2, 3, 1]], "node 1 is visited 2 times"),
        ([[1, 2], [3]], "at most 1 route(s) allowed, got 2"),
        ([[1, 0, 2, 3]], "through the depot"),
        ([[1, 2, 7]], "outside 0..3"),
        ([[1, 2.5, 3]], "not a node index"),
    ],
)
def test_tsp_defects_are_named(routes, reason):
    sol = Solution.from_routes(square_tsp(), routes, "hand", 0.0)
    assert not sol.feasible
    assert reason in sol.reason
    assert math.isnan(sol.cost)


def test_tour_rotation():
    assert tour_to_routes([2, 3, 0, 1]) == [[1, 2, 3]]


def test_cvrp_feasible_and_cost():
    sol = Solution.from_routes(small_cvrp(), [[1, 2], [3, 4]], "hand", 0.0)
    assert sol.feasible
    assert sol.cost == pytest.approx(8.0)


@pytest.mark.parametrize(
    "routes, reason",
    [
        ([[1, 2, 3], [4]], "over the capacity 4"),
        ([[1, 2], [3]], "never visited"),
        ([[1, 2], [3, 4], [2]], "visited 2 times"),
        ([[1, 2], [], [3, 4]], "route 1 is empty"),
    ],
)
def test_cvrp_defects_are_named(routes, reason):
    sol = Solution.from_routes(small_cvrp(), routes, "hand", 0.0)
    assert not sol.feasible
    assert reason in sol.reason


def test_gap_uses_known_optimum_and_ignores_infeasible():
    inst = square_tsp()
    inst.known_optimum = 4.0
    assert Solution.from_routes(inst, [[1, 2, 3]], "hand", 0.0).gap == pytest.approx(0.0)
    assert Solution.from_routes(inst, [[1, 2]], "hand", 0.0).gap is None


def test_asymmetric_cost_follows_direction():
    d = np.array([[0, 1, 9], [9, 0, 1], [1, 9, 0]], dtype=float)
    inst = Instance("atsp", d, name="tri", edge_weight_type="EXPLICIT")
    assert Solution.from_routes(inst, [[1, 2]], "hand", 0).cost == 3
    assert Solution.from_routes(inst, [[2, 1]], "hand", 0).cost == 27
