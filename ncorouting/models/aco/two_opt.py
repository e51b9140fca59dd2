"""2-opt and Or-opt for TSP tours on neighbour lists, compiled with numba.

rl4co's TSP local search (DeepACO's 2-opt) scans all O(n^2) pairs of a dense distance matrix per
move; this one tries, for each city, only its k graph neighbours (O(n * k) per pass), takes costs
from coordinates or from the instance's own matrix, and reverses the shorter side of the tour.
Passes alternate 2-opt and Or-opt (moving 1 to 3 consecutive cities next to a neighbour) until
neither improves. Symmetric costs only: both moves reverse paths.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Smallest gain that counts as an improvement (floating-point noise stays out).
MIN_GAIN = 1e-9


@njit(cache=True)
def _cost(i, j, b, coords, matrices):
    if matrices.shape[0] > 0:
        return matrices[b, i, j]
    dx = coords[b, i, 0] - coords[b, j, 0]
    dy = coords[b, i, 1] - coords[b, j, 1]
    return np.sqrt(dx * dx + dy * dy)


@njit(cache=True)
def _reverse(tour, pos, first, last):
    """Reverse the tour arc from position `first` forward to position `last` (cyclic)."""
    n = tour.size
    length = (last - first) % n + 1
    for step in range(length // 2):
        i, j = (first + step) % n, (last - step) % n
        a, c = tour[i], tour[j]
        tour[i], tour[j] = c, a
        pos[c], pos[a] = i, j


@njit(cache=True)
def _apply(tour, pos, t2, t3, t4, t1):
    """Replace edges (t1, t2), (t3, t4) by (t1, t3), (t2, t4): reverse arc t2..t3 or, if shorter, t4..t1."""
    n = tour.size
    inner = (pos[t3] - pos[t2]) % n
    if inner <= n // 2:
        _reverse(tour, pos, pos[t2], pos[t3])
    else:
        _reverse(tour, pos, pos[t4], pos[t1])


@njit(cache=True)
def _two_opt_pass(tour, pos, b, neighbours, coords, matrices):
    """One sweep of 2-opt moves over every city's neighbour list; True if the tour improved."""
    n, improved = tour.size, False
    for a in range(n):
        for direction in range(2):
            if direction == 0:  # edges (a, succ a) and (c, succ c)
                t1, t2 = a, tour[(pos[a] + 1) % n]
            else:  # edges (pred a, a) and (pred c, c)
                t1, t2 = tour[(pos[a] - 1) % n], a
            base = _cost(t1, t2, b, coords, matrices)
            for c in neighbours[b, a]:
                gain_first = base - _cost(a, c, b, coords, matrices)
                if gain_first <= MIN_GAIN:
                    break  # neighbours are sorted by cost: no later one can gain
                if direction == 0:
                    t3, t4 = c, tour[(pos[c] + 1) % n]
                    if t3 == t2 or t4 == t1:
                        continue
                    gain = gain_first + _cost(t3, t4, b, coords, matrices) - _cost(t2, t4, b, coords, matrices)
                else:
                    t3, t4 = tour[(pos[c] - 1) % n], c
                    if t4 == t1 or t3 == t2:
                        continue
                    gain = gain_first + _cost(t3, t4, b, coords, matrices) - _cost(t1, t3, b, coords, matrices)
                if gain > MIN_GAIN:
                    _apply(tour, pos, t2, t3, t4, t1)
                    improved = True
                    break
    return improved


@njit(cache=True)
def _move_segment(tour, pos, i, length, u, forward):
    """Move the `length` cities from position i to between u and succ(u), in their order or reversed.

    With S the segment, M the arc from succ(S) to u and R the arc from succ(u) back to pred(S), the
    cycle S M R becomes M S R (or M S^R R), by reversals of S and M or of S and R, whichever is shorter."""
    n = tour.size
    m = (pos[u] - (i + length)) % n + 1
    j = (i + length + m) % n  # first position of R
    last = (i + length - 1) % n
    if m <= n - length - m:
        if forward:
            _reverse(tour, pos, i, last)
        _reverse(tour, pos, (i + length) % n, (i + length + m - 1) % n)
        _reverse(tour, pos, i, (i + length + m - 1) % n)
    elif forward:
        _reverse(tour, pos, j, (i - 1) % n)
        _reverse(tour, pos, i, last)
        _reverse(tour, pos, j, last)
    else:
        _reverse(tour, pos, j, last)
        _reverse(tour, pos, (j + length) % n, last)


@njit(cache=True)
def _or_opt_pass(tour, pos, b, neighbours, coords, matrices):
    """One sweep of Or-opt moves: segments of 1 to 3 cities moved next to a neighbour of an end."""
    n, improved = tour.size, False
    for length in range(1, 4):
        if n < length + 3:
            break
        for start_city in range(n):
            i = pos[start_city]
            s1, s2 = tour[i], tour[(i + length - 1) % n]
            p, nx = tour[(i - 1) % n], tour[(i + length) % n]
            removed = _cost(p, s1, b, coords, matrices) + _cost(s2, nx, b, coords, matrices)
            removed -= _cost(p, nx, b, coords, matrices)
            if removed <= MIN_GAIN:
                continue
            best, best_u, best_forward = MIN_GAIN, -1, True
            for end in range(2):
                city = s1 if end == 0 else s2
                for c in neighbours[b, city]:
                    to_c = _cost(city, c, b, coords, matrices)
                    if to_c >= removed:
                        break
                    if (pos[c] - i) % n < length:
                        continue  # c inside the segment
                    for side in range(2):  # insert between (c, succ c) or (pred c, c)
                        u = c if side == 0 else tour[(pos[c] - 1) % n]
                        v = tour[(pos[u] + 1) % n]
                        if (pos[u] - i) % n < length or (pos[v] - i) % n < length:
                            continue
                        # forward: u s1 .. s2 v; the end next to c decides the orientation
                        forward = (end == 0) == (side == 0)
                        first, second = (s1, s2) if forward else (s2, s1)
                        added = _cost(u, first, b, coords, matrices) + _cost(second, v, b, coords, matrices)
                        gain = removed - added + _cost(u, v, b, coords, matrices)
                        if gain > best:
                            best, best_u, best_forward = gain, u, forward
            if best_u >= 0:
                _move_segment(tour, pos, i, length, best_u, best_forward)
                improved = True
    return improved


@njit(cache=True)
def _two_opt_tour(tour, b, neighbours, coords, matrices, max_passes):
    n = tour.size
    pos = np.empty(n, dtype=np.int64)
    for i in range(n):
        pos[tour[i]] = i
    for _ in range(max_passes):
        improved = _two_opt_pass(tour, pos, b, neighbours, coords, matrices)
        improved = _or_opt_pass(tour, pos, b, neighbours, coords, matrices) or improved
        if not improved:
            break


@njit(cache=True)
def _two_opt_batch(tours, instance, neighbours, coords, matrices, max_passes):
    for r in range(tours.shape[0]):
        _two_opt_tour(tours[r], instance[r], neighbours, coords, matrices, max_passes)


def two_opt(
    tours: np.ndarray,
    instance: np.ndarray,
    neighbours: np.ndarray,
    coords: np.ndarray | None = None,
    matrices: np.ndarray | None = None,
    max_passes: int = 1000,
) -> np.ndarray:
    """Improve tours [R, n] in place of a copy; row r belongs to instance `instance[r]` whose neighbour
    lists are `neighbours` [B, n, k] and costs `coords` [B, n, 2] or `matrices` [B, n, n]."""
    out = np.ascontiguousarray(tours, dtype=np.int64).copy()
    empty = np.zeros((0, 0, 0))
    coords = empty if coords is None else np.ascontiguousarray(coords, dtype=np.float64)
    matrices = empty if matrices is None else np.ascontiguousarray(matrices, dtype=np.float64)
    _two_opt_batch(
        out,
        np.asarray(instance, dtype=np.int64),
        np.ascontiguousarray(neighbours, dtype=np.int64),
        coords,
        matrices,
        max_passes,
    )
    return out
