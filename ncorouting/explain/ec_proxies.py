"""Cheap stand-ins for the rule annotator's relaxations, as edge-classifier features: where would a
quick path heuristic go next with no constraint, and with the remaining load only? The annotator
solves these relaxations with LKH-3 (or enumeration) and PyVRP; a cheapest-insertion path improved by
2-opt and Clarke-Wright savings trips cost about half a millisecond an edge at 20 clients here, and the
classifier learns where they disagree with the annotator. Our own code: the solvers we use have no
path-with-fixed-ends call that is cheap enough to run once per edge. With time windows the classifier also
runs the annotator's capacity-only relaxation itself, cut to `QUICK_RELAXATION_ITERATIONS` (`ec_features`):
savings trips go where that relaxation goes on 82 % of the mid-route verdicts it decides, 10 PyVRP
iterations on 95 % (one-off check, docs/explain.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ncorouting.explain.schedule import path_cost

#: 2-opt passes at most (each applies the best improving reversal).
TWO_OPT_PASSES = 50
#: PyVRP iterations of the classifier's quick capacity-only relaxation (the annotator runs 300).
QUICK_RELAXATION_ITERATIONS = 10


@lru_cache(maxsize=128)
def _reversals(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every inner segment p[i..j] (1 <= i < j <= n - 2) of an n-node path."""
    i, j = np.triu_indices(n - 1, k=1)
    keep = i >= 1
    return i[keep], j[keep]


def _two_opt(d: np.ndarray, path: list[int]) -> list[int]:
    """Best-improvement 2-opt with both ends fixed; reversal costs count the segment's own edges, so an
    asymmetric matrix is handled exactly."""
    p = np.asarray(path, dtype=np.int64)
    if p.size < 4:
        return p.tolist()
    i, j = _reversals(p.size)
    for _ in range(TWO_OPT_PASSES):
        fwd = np.concatenate([[0.0], np.cumsum(d[p[:-1], p[1:]])])
        bwd = np.concatenate([[0.0], np.cumsum(d[p[1:], p[:-1]])])
        before = d[p[i - 1], p[i]] + d[p[j], p[j + 1]] + fwd[j] - fwd[i]
        after = d[p[i - 1], p[j]] + d[p[i], p[j + 1]] + bwd[j] - bwd[i]
        gain = before - after
        k = int(np.argmax(gain))
        if gain[k] <= 1e-12:
            break
        p[i[k] : j[k] + 1] = p[i[k] : j[k] + 1][::-1].copy()
    return p.tolist()


def insertion_path(d: np.ndarray, start: int, nodes: Sequence[int], end: int) -> list[int]:
    """start -> every node -> end: cheapest insertion, then 2-opt."""
    path, rest = [start, end], [int(v) for v in nodes]
    while rest:
        p, r = np.asarray(path), np.asarray(rest)
        added = d[p[:-1, None], r[None, :]] + d[r[None, :], p[1:, None]] - d[p[:-1], p[1:]][:, None]
        at, k = np.unravel_index(int(np.argmin(added)), added.shape)
        path.insert(int(at) + 1, rest.pop(int(k)))
    return _two_opt(d, path)


def savings_trips(
    d: np.ndarray,
    here: int,
    nodes: Sequence[int],
    demands: np.ndarray,
    left: float,
    capacity: float,
    symmetric: bool = False,
) -> list[list[int]]:
    """Clarke-Wright savings trips over `nodes`, a stand-in for the capacity-only relaxation: away from
    the depot the first trip starts at `here` with load `left` (its head stays fixed), every other trip
    starts empty at the depot. Routes merge tail to head; on a symmetric matrix they may turn round."""
    ends = [here, *(int(v) for v in nodes)] if here else [int(v) for v in nodes]
    trips = {v: [v] for v in ends}
    owner = {v: v for v in ends}
    load = {v: 0.0 if v == here else float(demands[v]) for v in ends}
    a = np.asarray(ends)
    saving = (d[a, 0][:, None] + d[0, a][None, :] - d[a[:, None], a[None, :]]).ravel()
    saving[:: a.size + 1] = -np.inf
    order = np.argsort(-saving, kind="stable")
    for flat in order[: int((saving > 0).sum())].tolist():
        i, j = divmod(flat, a.size)
        tail, head = ends[i], ends[j]
        first, second = owner[tail], owner[head]
        if first == second or (here and second == here):
            continue
        if load[first] + load[second] > (left if here and first == here else capacity) + 1e-9:
            continue
        one, two = trips[first], trips[second]
        if one[-1] != tail:
            if not (symmetric and one[0] == tail and not (here and first == here)):
                continue
            one = one[::-1]
        if two[0] != head:
            if not (symmetric and two[-1] == head):
                continue
            two = two[::-1]
        trips[first], load[first] = one + two, load[first] + load.pop(second)
        for v in trips.pop(second):
            owner[v] = first
    return list(trips.values())


def savings_next(d: np.ndarray, here: int, trips: list[list[int]]) -> set[int]:
    """Where `savings_trips` go next from `here` (the depot when its trip stays empty; its order
    improved by 2-opt); from the depot, the ends of every trip, as in the annotator."""
    if not here:
        return {t[0] for t in trips} | {t[-1] for t in trips}
    mine = _two_opt(d, [*next(t for t in trips if t[0] == here), 0])
    return {mine[1]}


def first_steps(path: Sequence[int], here: int, symmetric: bool = False) -> set[int]:
    """The nodes a path may take first from `here`: its first, and from the depot on a symmetric matrix
    also its last (a tour's direction is free, as in the annotator)."""
    inner = list(path[1:-1])
    if not inner:
        return {int(path[-1])}
    if here == 0 and path[-1] == 0 and symmetric:
        return {inner[0], inner[-1]}
    return {inner[0]}


def relaxation_features(
    d: np.ndarray,
    here: int,
    head: int,
    candidates: Sequence[int],
    demands: np.ndarray | None,
    left: float,
    capacity: float,
    scale: float,
    symmetric: bool = False,
) -> tuple[float, float, float]:
    """For the edge here -> head: (1 if the unconstrained path heuristic goes to head first; the extra
    length of that path made to go to head first, over `scale`, clipped at 1 (1 for an early return
    to the depot); 1 if the savings trips
    go to head next). Without demands or a finite capacity the savings verdict is the path's.
    `symmetric` says d is (it frees a tour's direction and lets savings trips turn round)."""
    path = insertion_path(d, here, candidates, 0)
    if head in first_steps(path, here, symmetric):
        length_first, extra = 1.0, 0.0
    elif head == 0:  # back to the depot with candidates left: never the unconstrained path's step
        length_first, extra = 0.0, 1.0
    else:
        forced = [here, *_two_opt(d, [head, *(v for v in path[1:-1] if v != head), 0])]
        length_first = 0.0
        extra = min(max(0.0, path_cost(d, forced) - path_cost(d, path)) / scale, 1.0)
    if demands is None or not np.isfinite(capacity):
        return length_first, extra, length_first
    return (
        length_first,
        extra,
        float(head in savings_next(d, here, savings_trips(d, here, candidates, demands, left, capacity, symmetric))),
    )
