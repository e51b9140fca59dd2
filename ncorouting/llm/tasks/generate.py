"""Random instances of the benchmark task types: small integer coordinates (0-9, as in the paper) and
the fields each feature needs, built so that a feasible answer exists."""

from __future__ import annotations

import math

import numpy as np

from ncorouting.llm.tasks.types import TaskType

COLOURS = ("red", "green", "blue", "yellow")
#: Goods each robot may carry in the multi-robot purchasing type (as in the paper: 10/15/20/20 units).
PURCHASE_CAPACITY = (10, 15, 20, 20)


def _coords(rng: np.random.Generator, n: int) -> list[list[int]]:
    """n distinct integer points of the 10 x 10 grid."""
    cells = rng.choice(100, size=n, replace=False)
    return [[int(c % 10), int(c // 10)] for c in cells]


def _split(rng: np.random.Generator, items: list[int], parts: int) -> list[list[int]]:
    """`items` shuffled and cut into `parts` non-empty consecutive pieces."""
    order = [int(v) for v in rng.permutation(items)]
    cuts = sorted(int(c) for c in rng.choice(range(1, len(order)), size=parts - 1, replace=False))
    return [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]


def _windows(rng: np.random.Generator, coords: list[list[int]], robots: int) -> list[list[int]]:
    """Integer windows around the arrival times of a random plan, so that the plan itself is feasible."""
    n = len(coords)
    windows = [[0, 0] for _ in range(n)]
    latest = 0.0
    for tour in _split(rng, list(range(1, n)), robots):
        time, prev = 0.0, 0
        for city in tour:
            time += math.dist(coords[prev], coords[city])
            windows[city] = [
                max(0, math.floor(time) - int(rng.integers(0, 4))),
                math.ceil(time) + int(rng.integers(1, 5)),
            ]
            prev = city
        latest = max(latest, time + math.dist(coords[prev], coords[0]))
    windows[0] = [0, math.ceil(latest) + 2]
    return windows


def _purchase(rng: np.random.Generator, n: int, robots: int) -> dict:
    """Stock and unit price per market (none at the depot), the demand and, for several robots, capacities."""
    low, high = (2, 9) if robots > 1 else (5, 21)
    stock = [0] + [int(v) for v in rng.integers(low, high, size=n - 1)]
    fields = {"stock": stock, "price": [0] + [int(v) for v in rng.integers(1, 10, size=n - 1)], "travel_cost": 10}
    if robots > 1:
        fields["capacity"] = list(PURCHASE_CAPACITY)
        fields["demand"] = min(int(0.8 * sum(stock)), sum(PURCHASE_CAPACITY) - 10)
    else:
        fields["demand"] = math.ceil(0.5 * sum(stock))
    return fields


def _colours(rng: np.random.Generator, n: int) -> dict:
    """Robot colours and, per city, the colours allowed to visit it (one, sometimes two)."""
    city_colours = [list(COLOURS)]
    for _ in range(1, n):
        count = 2 if rng.random() < 0.3 else 1
        city_colours.append(sorted(str(c) for c in rng.choice(COLOURS, size=count, replace=False)))
    return {"robot_colours": list(COLOURS), "city_colours": city_colours}


def generate_instance(task_type: TaskType, n: int, rng: np.random.Generator) -> dict:
    """The instance fields of one task of `task_type` with n nodes (depots included); the energy budget
    of recharging types is set afterwards by the builder, which needs the exact solver for it."""
    multi = task_type.robots > 1
    inst: dict = {}
    if task_type.has("matrix"):
        matrix = rng.integers(1, 21, size=(n, n))
        np.fill_diagonal(matrix, 0)
        inst["distance_matrix"] = matrix.tolist()
    else:
        inst["coords"] = _coords(rng, n)
    if multi:
        inst["robots"] = task_type.robots
    if task_type.has("depots"):
        inst["depots"] = list(range(task_type.robots if multi else 3))
    cities = list(range(1, n))
    if task_type.has("groups"):
        inst["groups"] = [sorted(g) for g in _split(rng, cities, 5 if multi else (2 if n <= 5 else 4))]
    if task_type.has("precedence"):
        picked = [int(v) for v in rng.choice(cities, 5 if multi else (3 if n <= 5 else 4), replace=False)]
        chains = [picked[:3], picked[3:]] if multi else [picked]
        inst["precedence"] = [[a, b] for chain in chains for a, b in zip(chain, chain[1:], strict=False)]
    if task_type.has("k"):
        inst["k"] = 7 if multi else (3 if n <= 5 else 6)
    if task_type.has("windows"):
        inst["time_windows"] = _windows(rng, inst["coords"], task_type.robots)
    if task_type.has("purchase"):
        inst.update(_purchase(rng, n, task_type.robots))
    if task_type.has("colours"):
        inst.update(_colours(rng, n))
    return inst
