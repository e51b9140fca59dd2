"""The 21 task types of "From Words to Routes" (Huang et al., 2024), as we define them: each is a
TSP with a set of features (groups, precedence, time windows, ...), one robot or four with a min-max
objective."""

from __future__ import annotations

from dataclasses import dataclass

from ncorouting.errors import UnknownNameError

#: Features a type may carry; each adds instance fields, description sentences and checks.
FEATURES = ("groups", "precedence", "k", "matrix", "windows", "purchase", "depots", "energy", "colours")
#: Instance fields each feature needs.
FEATURE_FIELDS = {
    "groups": ("groups",),
    "precedence": ("precedence",),
    "k": ("k",),
    "matrix": (),
    "windows": ("time_windows",),
    "purchase": ("stock", "price", "demand", "travel_cost"),
    "depots": ("depots",),
    "energy": ("energy_budget",),
    "colours": ("robot_colours", "city_colours"),
}
#: Number of robots in the multi-robot types (as in the paper).
MULTI_ROBOTS = 4


@dataclass(frozen=True)
class TaskType:
    """One benchmark task type: its key, the paper's label, the number of robots, its features and
    objective ("length": tour cost; "bottleneck": the longest single leg; purchase types add prices)."""

    key: str
    label: str
    title: str
    robots: int
    features: tuple[str, ...] = ()
    objective: str = "length"

    @property
    def sizes(self) -> tuple[int, ...]:
        """Node counts of the benchmark settings: single-robot types at 5 and 10 nodes, multi-robot at 10."""
        return (5, 10) if self.robots == 1 else (10,)

    def has(self, feature: str) -> bool:
        return feature in self.features

    @property
    def fields(self) -> tuple[str, ...]:
        """The instance fields a task of this type needs."""
        base = ("distance_matrix",) if self.has("matrix") else ("coords",)
        robots = ("robots",) if self.robots > 1 else ()
        capacity = ("capacity",) if self.has("purchase") and self.robots > 1 else ()
        return base + robots + tuple(f for feature in self.features for f in FEATURE_FIELDS[feature]) + capacity


def _pair(key: str, label: str, title: str, features: tuple[str, ...] = (), objective: str = "length"):
    """The single-robot type and its four-robot min-max version."""
    multi_key = key.replace("tsp", "mtsp") if "tsp" in key else "m" + key
    multi_label = label.replace("TSP", "MTSP") if "TSP" in label else "M" + label
    return (
        TaskType(key, label, title, 1, features, objective),
        TaskType(multi_key, multi_label, f"{title}, {MULTI_ROBOTS} robots, min-max", MULTI_ROBOTS, features, objective),
    )


_PAIRS = [
    _pair("tsp", "TSP", "travelling salesman"),
    _pair("btsp", "BTSP", "bottleneck travelling salesman", objective="bottleneck"),
    _pair("gtsp", "GTSP", "generalised travelling salesman", ("groups",)),
    _pair("sop", "SOP", "sequential ordering", ("precedence",)),
    _pair("ktsp", "K-TSP", "selective k-city travelling salesman", ("k",)),
    _pair("mvtsp", "MV-TSP", "multi-visit asymmetric travelling salesman", ("matrix",)),
    _pair("tsptw", "TSPTW", "travelling salesman with time windows", ("windows",)),
    _pair("tpp", "TPP", "travelling purchaser", ("purchase",)),
    _pair("mdtsp_no", "MD-TSP-No", "multi-depot travelling salesman, no recharging", ("depots",)),
    _pair("mdtsp", "MD-TSP", "multi-depot travelling salesman with recharging", ("depots", "energy")),
]
_COLOURED = TaskType("cmtsp", "CMTSP", "coloured multi-robot travelling salesman, min-max", MULTI_ROBOTS, ("colours",))

#: Every task type by key, single-robot types first.
TASK_TYPES: dict[str, TaskType] = {
    t.key: t for t in [single for single, _ in _PAIRS] + [multi for _, multi in _PAIRS] + [_COLOURED]
}


def get_task_type(key: str) -> TaskType:
    """The task type named `key`; a clear error listing the known keys otherwise."""
    try:
        return TASK_TYPES[key]
    except KeyError:
        raise UnknownNameError("task type", key, list(TASK_TYPES)) from None
