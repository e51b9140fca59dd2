"""Exact solver for the 21 text-to-code task types: label-setting dynamic programming over subsets of
cities, then a min-max partition over robots. Standard library only, because the same file is also the
reference program that runs in the sandbox like generated code (`python exact.py TYPE instance.json`).

Written by us (no library solves these variants exactly): at 10 nodes every subset is enumerated, so the
values it returns are optima, not bounds.
"""

import json
import math
import sys

BOTTLENECK_TYPES = ("btsp", "bmtsp")
INF = math.inf


def distance_matrix(instance: dict) -> list[list[float]]:
    """Travel costs: the given matrix, else unrounded Euclidean distances between coordinates."""
    if "distance_matrix" in instance:
        return [[float(v) for v in row] for row in instance["distance_matrix"]]
    pts = instance["coords"]
    return [[math.dist(p, q) for q in pts] for p in pts]


def shortest_paths(d: list[list[float]]) -> tuple[list[list[float]], list[list[int]]]:
    """Floyd-Warshall: cheapest costs between all pairs and the next hop on each cheapest path."""
    n = len(d)
    dist = [row[:] for row in d]
    nxt = [list(range(n)) for _ in range(n)]
    for k in range(n):
        for i in range(n):
            for j in range(n):
                if dist[i][k] + dist[k][j] < dist[i][j]:
                    dist[i][j] = dist[i][k] + dist[k][j]
                    nxt[i][j] = nxt[i][k]
    return dist, nxt


class Model:
    """The instance seen by the dynamic programme: which nodes carry a bit (must be visited once),
    which may be visited repeatedly (depots), where each robot starts, and the resources on a label
    (objective so far, time, energy since the last recharge)."""

    def __init__(self, instance: dict, task_type: str):
        self.instance = instance
        self.bottleneck = task_type in BOTTLENECK_TYPES
        d = distance_matrix(instance)
        self.walks = "distance_matrix" in instance  # revisits allowed: plan on cheapest paths
        self.next_hop = None
        if self.walks:
            d, self.next_hop = shortest_paths(d)
        self.d, self.n = d, len(d)
        self.robots = int(instance.get("robots", 1))
        self.depots = [int(v) for v in instance.get("depots", [0])]
        self.open_end = "depots" in instance  # multi-depot: a tour ends at any depot
        own_depots = self.robots > 1 and self.open_end  # robot r starts at depots[r]
        self.starts = self.depots[: self.robots] if own_depots else [self.depots[0]] * self.robots
        # one robot over several depots must visit each of them: the depots beyond its start carry bits
        must_visit = self.depots[1:] if self.open_end and self.robots == 1 else []
        self.bit_nodes = [v for v in range(self.n) if v not in self.depots or v in must_visit]
        self.bit = {v: 1 << k for k, v in enumerate(self.bit_nodes)}
        self.reusable = set(self.depots) if self.open_end else set()
        self.windows = instance.get("time_windows")
        self.budget = instance.get("energy_budget")
        self.pred = {v: 0 for v in range(self.n)}
        for a, b in instance.get("precedence", []):
            self.pred[b] |= self.bit[a]

    def mask_of(self, nodes) -> int:
        """Bit mask of the bit-carrying nodes among `nodes`."""
        return sum(self.bit.get(v, 0) for v in set(nodes))

    def step(self, label: tuple, i: int, j: int, mask: int) -> tuple | None:
        """The label after moving from i to j with `mask` visited, or None when the move is not allowed."""
        if j not in self.reusable and (j not in self.bit or mask & self.bit[j] or self.pred[j] & ~mask):
            return None
        leg = self.d[i][j]
        obj = max(label[0], leg) if self.bottleneck else label[0] + leg
        time, energy = label[1], label[2]
        if self.windows is not None:
            time = max(time + leg, self.windows[j][0])
            if time > self.windows[j][1] + 1e-9:
                return None
        if self.budget is not None:
            energy += leg
            if energy > self.budget + 1e-9:
                return None
            if j in self.reusable:
                energy = 0.0
        return obj, time, energy

    def finish(self, label: tuple, i: int) -> float | None:
        """Objective of a tour whose last visited node is i (closing it when tours return to the depot)."""
        if self.open_end:
            return label[0] if i in self.reusable else None
        leg = self.d[i][0]
        if self.windows is not None and label[1] + leg > self.windows[0][1] + 1e-9:
            return None
        return max(label[0], leg) if self.bottleneck else label[0] + leg


def _insert(labels: list, label: tuple, path: tuple) -> tuple | None:
    """Add (label, path) unless an existing label dominates it; drop the labels it dominates."""
    for old, _ in labels:
        if old[0] <= label[0] and old[1] <= label[1] and old[2] <= label[2]:
            return None
    labels[:] = [(o, p) for o, p in labels if not (label[0] <= o[0] and label[1] <= o[1] and label[2] <= o[2])]
    entry = (label, path)
    labels.append(entry)
    return entry


def subset_tours(model: Model, start: int) -> dict[int, tuple[float, tuple]]:
    """For every reachable mask of visited bit nodes, the best finished tour from `start`: (objective, path)."""
    t0 = model.windows[start][0] if model.windows is not None else 0.0
    levels: list[dict] = [dict() for _ in range(len(model.bit_nodes) + 1)]
    levels[0][0] = {start: [((0.0, t0, 0.0), (start,))]}
    best: dict[int, tuple[float, tuple]] = {}
    for level in levels:
        for mask, at in level.items():
            queue = [(node, entry) for node, entries in at.items() for entry in entries]
            while queue:  # moves between repeatable depots keep the mask: correct labels until stable
                i, entry = queue.pop()
                if not any(e is entry for e in at.get(i, ())):
                    continue
                label, path = entry
                for j in range(model.n):
                    new = model.step(label, i, j, mask)
                    if new is None:
                        continue
                    target = mask | model.bit.get(j, 0)
                    if target == mask:
                        added = _insert(at.setdefault(j, []), new, path + (j,))
                        if added is not None:
                            queue.append((j, added))
                    else:
                        later = levels[bin(target).count("1")].setdefault(target, {})
                        _insert(later.setdefault(j, []), new, path + (j,))
            for i, entries in at.items():
                for label, path in entries:
                    value = model.finish(label, i)
                    if value is not None and len(path) > 1 and value < best.get(mask, (INF,))[0]:
                        best[mask] = (value, path if model.open_end else path + (0,))
    return best


def robot_tables(model: Model) -> list[dict[int, tuple[float, tuple]]]:
    """Per robot: mask -> (robot cost, tour), with the robot's own restrictions applied."""
    inst = model.instance
    by_start = {s: subset_tours(model, s) for s in set(model.starts)}
    stock = inst.get("stock")
    tables = []
    for r, s in enumerate(model.starts):
        table = {}
        allowed = None
        if "robot_colours" in inst:
            colour = inst["robot_colours"][r]
            allowed = model.mask_of(v for v in model.bit_nodes if colour in inst["city_colours"][v])
        for mask, (value, path) in by_start[s].items():
            if allowed is not None and mask & ~allowed:
                continue
            if model.robots > 1 and any(
                bool(mask & model.bit[a]) != bool(mask & model.bit[b]) for a, b in inst.get("precedence", [])
            ):
                continue  # precedence pairs share a robot
            if stock is not None:
                bought = sum(stock[v] for v in path if v in model.bit)
                if "capacity" in inst and bought > inst["capacity"][r]:
                    continue
                paid = sum(stock[v] * inst["price"][v] for v in set(path) if v in model.bit)
                value = inst["travel_cost"] * value + paid
            table[mask] = (value, path)
        tables.append(table)
    return tables


def covers(model: Model, union: int) -> bool:
    """Whether the cities visited by all robots together (`union`) satisfy the task's visiting rule."""
    inst = model.instance
    if "groups" in inst:
        return all(bin(union & model.mask_of(g)).count("1") == 1 for g in inst["groups"])
    if "k" in inst:
        return bin(union).count("1") == inst["k"] - 1
    if "stock" in inst:
        return sum(inst["stock"][v] for v in model.bit_nodes if union & model.bit[v]) >= inst["demand"]
    return union == (1 << len(model.bit_nodes)) - 1


def partition(model: Model, tables: list[dict]) -> tuple[float, list[int]]:
    """Disjoint non-empty masks, one per robot, minimising the largest robot cost over unions that cover.
    Disjoint masks lose nothing when revisits are allowed: a robot may still pass through cities another
    robot serves, and a walk costs at least the cheapest walk over any subset of the cities it visits."""
    size = 1 << len(model.bit_nodes)
    f = [0.0] + [INF] * (size - 1)
    choices = []
    for table in tables:
        cost = [INF] * size
        for mask, (value, _) in table.items():
            cost[mask] = value
        g, choice = [INF] * size, [0] * size
        for union in range(1, size):
            sub, best, arg = union, INF, 0
            while sub:
                c = cost[sub]
                if c < best:
                    v = max(c, f[union ^ sub])
                    if v < best:
                        best, arg = v, sub
                sub = (sub - 1) & union
            g[union], choice[union] = best, arg
        f = g
        choices.append(choice)
    union = min((u for u in range(size) if f[u] < INF and covers(model, u)), key=f.__getitem__, default=None)
    if union is None:
        raise ValueError("the instance has no feasible solution")
    value, masks = f[union], []
    for choice in reversed(choices):
        masks.append(choice[union])
        union ^= choice[union]
    return value, masks[::-1]


def expand(model: Model, path: tuple) -> list[int]:
    """The node sequence actually travelled: cheapest-path hops spelled out when revisits are allowed."""
    if not model.walks:
        return list(path)
    walk = [path[0]]
    for target in path[1:]:
        while walk[-1] != target:
            walk.append(model.next_hop[walk[-1]][target])
    return walk


def solve(instance: dict, task_type: str) -> dict:
    """An optimal answer in the declared output form: {"tours": [...], "cost": objective}."""
    model = Model(instance, task_type)
    tables = robot_tables(model)
    value, masks = partition(model, tables)
    tours = [expand(model, table[mask][1]) for table, mask in zip(tables, masks, strict=True)]
    return {"tours": tours, "cost": value}


if __name__ == "__main__":
    with open(sys.argv[2]) as handle:
        print(json.dumps(solve(json.load(handle), sys.argv[1])))
