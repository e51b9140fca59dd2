"""Small hand-made instances for tests."""

from __future__ import annotations

import numpy as np

from ncorouting.instance import Instance, distances_from_coords


def square_tsp() -> Instance:
    """Four corners of the unit square: optimal tour length 4."""
    coords = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    return Instance("tsp", distances_from_coords(coords), coords=coords, name="square")


def small_cvrp() -> Instance:
    """Depot at the origin, four clients of demand 2 on two sides, capacity 4."""
    coords = np.array([[0, 0], [1, 0], [2, 0], [-1, 0], [-2, 0]], dtype=float)
    demands = np.array([0, 2, 2, 2, 2], dtype=float)
    return Instance("cvrp", distances_from_coords(coords), coords=coords, demands=demands, capacity=4, name="line")
