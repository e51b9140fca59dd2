"""Known optimal costs of standard instances (TSPLIB: Reinelt 1991; CVRPLIB: Augerat 1995,
Christofides & Eilon 1969, Uchoa et al. 2017), used for gaps when no solution file sits beside one.

An entry applies only to an instance of the same name, problem and dimension; `Solution.gap` further
refuses a table optimum that a feasible solution beats (the file is then not the published instance).
"""

from __future__ import annotations

from typing import NamedTuple


class KnownOptimum(NamedTuple):
    problem: str
    dimension: int
    cost: float


KNOWN_OPTIMA: dict[str, KnownOptimum] = {
    "eil51": KnownOptimum("tsp", 51, 426),
    "berlin52": KnownOptimum("tsp", 52, 7542),
    "st70": KnownOptimum("tsp", 70, 675),
    "eil76": KnownOptimum("tsp", 76, 538),
    "kroA100": KnownOptimum("tsp", 100, 21282),
    "burma14": KnownOptimum("tsp", 14, 3323),
    "ulysses16": KnownOptimum("tsp", 16, 6859),
    "gr17": KnownOptimum("tsp", 17, 2085),
    "bayg29": KnownOptimum("tsp", 29, 1610),
    "bays29": KnownOptimum("tsp", 29, 2020),
    "att48": KnownOptimum("tsp", 48, 10628),
    "gr96": KnownOptimum("tsp", 96, 55209),
    "si175": KnownOptimum("tsp", 175, 21407),
    "br17": KnownOptimum("atsp", 17, 39),
    "ftv33": KnownOptimum("atsp", 34, 1286),
    "p43": KnownOptimum("atsp", 43, 5620),
    "ry48p": KnownOptimum("atsp", 48, 14422),
    "A-n32-k5": KnownOptimum("cvrp", 32, 784),
    "E-n51-k5": KnownOptimum("cvrp", 51, 521),
    "P-n50-k10": KnownOptimum("cvrp", 50, 696),
    "X-n101-k25": KnownOptimum("cvrp", 101, 27591),
    "X-n106-k14": KnownOptimum("cvrp", 106, 26362),
    "X-n110-k13": KnownOptimum("cvrp", 110, 14971),
}


def table_optimum(name: str, problem: str, dimension: int) -> float | None:
    """The table's optimum for an instance matching it in name, problem and dimension, else None."""
    entry = KNOWN_OPTIMA.get(name)
    if entry is None or entry.problem != problem or entry.dimension != dimension:
        return None
    return float(entry.cost)
