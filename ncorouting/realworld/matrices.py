"""Points on roads and their full asymmetric travel matrices.

Points are placed on the straight road segments of a drivable graph (probability proportional to
length) and inserted into the graph in every direction the segment can be driven, as a routing
engine snaps a stop to its street. One directed Dijkstra per point (scipy's sparse routines) on travel
time gives the duration matrix; the distance matrix is the length of those fastest paths, summed along
each shortest-path tree by pointer jumping (no per-pair path walking in Python).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from tqdm import tqdm

from ncorouting.errors import InputError

#: Minimum spacing (m) of the slots points are drawn from: a network holds at most length / spacing points.
DEFAULT_SPACING = 10.0
#: Smallest travel time (s) on a graph edge (OSM has zero-length segments; Dijkstra needs positive weights).
MIN_SECONDS = 1e-6


@dataclass
class RoadSegments:
    """Undirected straight segments (node pairs a < b) with length and travel time in each direction
    (time is inf where that direction may not be driven)."""

    node_xy: np.ndarray  # [V, 2] longitude, latitude
    ends: np.ndarray  # [S, 2] node indices
    length: np.ndarray  # [S, 2] metres for a->b, b->a
    seconds: np.ndarray  # [S, 2] seconds for a->b, b->a (inf: not drivable that way)

    @property
    def span(self) -> np.ndarray:
        """Geometric length of each segment (the shorter of its directions' lengths)."""
        return np.where(np.isfinite(self.seconds), self.length, np.inf).min(1)

    def street_lines(self) -> np.ndarray:
        """Segment end coordinates [S, 2, 2] (lon, lat), for drawing streets under routes."""
        return self.node_xy[self.ends].astype(np.float32)


def road_segments(graph: nx.MultiDiGraph) -> RoadSegments:
    """Collect a drivable graph's edges as undirected segments (the fastest edge per direction)."""
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    node_xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes], dtype=np.float64)
    best: dict[tuple[int, int], tuple[float, float]] = {}
    for u, v, data in graph.edges(data=True):
        a, b = index[u], index[v]
        if a == b:
            continue
        seconds = max(float(data["travel_time"]), MIN_SECONDS)
        if (a, b) not in best or seconds < best[(a, b)][1]:
            best[(a, b)] = (float(data["length"]), seconds)
    pairs = sorted({(min(a, b), max(a, b)) for a, b in best})
    length = np.full((len(pairs), 2), np.inf)
    seconds = np.full((len(pairs), 2), np.inf)
    for s, (a, b) in enumerate(pairs):
        for direction, key in enumerate(((a, b), (b, a))):
            if key in best:
                length[s, direction], seconds[s, direction] = best[key]
    return RoadSegments(node_xy, np.asarray(pairs, dtype=np.int64).reshape(-1, 2), length, seconds)


@dataclass
class RoadPoints:
    """Sampled points: their segment and fraction along it (from end a to end b), and coordinates."""

    segment: np.ndarray  # [N]
    fraction: np.ndarray  # [N] in (0, 1)
    coords: np.ndarray  # [N, 2] longitude, latitude


def sample_points(
    segments: RoadSegments, num_points: int, rng: np.random.Generator, spacing: float = DEFAULT_SPACING
) -> RoadPoints:
    """`num_points` distinct points on the roads, segment chosen with probability proportional to its
    length: slots of `spacing` metres are drawn without replacement and each point lies in the middle
    half of its slot, so two points on a segment are at least `spacing` / 2 apart."""
    slots = np.floor(segments.span / spacing).astype(np.int64)
    capacity = int(slots.sum())
    if num_points < 2:
        raise InputError(f"need at least 2 points, got {num_points}")
    if num_points > capacity:
        raise InputError(
            f"the network holds at most {capacity} points ({slots.size} drivable segments, one point per "
            f"{spacing:g} m), but {num_points} were asked for"
        )
    chosen = np.sort(rng.choice(capacity, size=num_points, replace=False))
    first_slot = np.concatenate([[0], np.cumsum(slots)[:-1]])
    segment = np.searchsorted(np.cumsum(slots), chosen, side="right")
    within = chosen - first_slot[segment] + 0.5 + rng.uniform(-0.25, 0.25, size=num_points)
    fraction = within * spacing / segments.span[segment]
    a, b = segments.node_xy[segments.ends[segment, 0]], segments.node_xy[segments.ends[segment, 1]]
    coords = a + fraction[:, None] * (b - a)
    order = rng.permutation(num_points)  # no ordering by segment in the output
    return RoadPoints(segment[order], fraction[order], coords[order])


def split_graph(segments: RoadSegments, points: RoadPoints) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Directed edges (src, dst, seconds, metres) of the road graph with every point inserted into its
    segment in each drivable direction; point p is graph node V + p."""
    num_nodes = len(segments.node_xy)
    on_segment: dict[int, list[int]] = {}
    for p in np.argsort(points.fraction, kind="stable"):
        on_segment.setdefault(int(points.segment[p]), []).append(int(p))
    src, dst, secs, metres = [], [], [], []
    for s, (a, b) in enumerate(segments.ends):
        ids = on_segment.get(s, [])
        for direction in (0, 1):
            if not np.isfinite(segments.seconds[s, direction]):
                continue
            # stops along this direction: node, points by increasing position, node
            order = ids if direction == 0 else ids[::-1]
            position = [points.fraction[p] if direction == 0 else 1 - points.fraction[p] for p in order]
            chain = [a if direction == 0 else b, *(num_nodes + p for p in order), b if direction == 0 else a]
            steps = np.diff([0.0, *position, 1.0])
            src.extend(chain[:-1])
            dst.extend(chain[1:])
            secs.extend(np.maximum(steps * segments.seconds[s, direction], MIN_SECONDS))
            metres.extend(steps * segments.length[s, direction])
    return np.asarray(src), np.asarray(dst), np.asarray(secs), np.asarray(metres)


def tree_lengths(predecessors: np.ndarray, sources: np.ndarray, edge_metres) -> np.ndarray:
    """Length from each source to every node along its shortest-path tree [S, V], by pointer jumping:
    each round adds the parent's accumulated length and jumps to the grandparent (log depth rounds)."""
    rows = np.arange(predecessors.shape[0])[:, None]
    parent = predecessors.copy()
    parent[rows[:, 0], sources] = sources
    if (parent < 0).any():
        raise InputError("a point is unreachable from another (the graph is not strongly connected)")
    total = edge_metres(parent, np.broadcast_to(np.arange(parent.shape[1]), parent.shape))
    total[rows[:, 0], sources] = 0.0
    while True:
        grand = parent[rows, parent]
        if np.array_equal(grand, parent):
            return total
        total = total + total[rows, parent]
        parent = grand


def travel_matrices(
    segments: RoadSegments, points: RoadPoints, chunk: int = 100, progress: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (km, length of the fastest path) and duration (minutes) matrices between the points."""
    num_nodes, n = len(segments.node_xy), len(points.segment)
    src, dst, secs, metres = split_graph(segments, points)
    size = num_nodes + n
    graph = csr_matrix((secs, (src, dst)), shape=(size, size))
    keys = src * size + dst
    order = np.argsort(keys)
    sorted_keys, sorted_metres = keys[order], metres[order]

    def edge_metres(frm: np.ndarray, to: np.ndarray) -> np.ndarray:
        found = np.searchsorted(sorted_keys, frm * size + to).clip(0, len(sorted_keys) - 1)
        return np.where(sorted_keys[found] == frm * size + to, sorted_metres[found], 0.0)

    targets = num_nodes + np.arange(n)
    duration = np.empty((n, n))
    distance = np.empty((n, n))
    for start in tqdm(range(0, n, chunk), desc="shortest paths", unit=f"x{chunk} points", disable=not progress):
        sources = targets[start : start + chunk]
        seconds, pred = dijkstra(graph, directed=True, indices=sources, return_predecessors=True)
        if not np.isfinite(seconds[:, targets]).all():
            raise InputError("a point is unreachable from another (the graph is not strongly connected)")
        duration[start : start + len(sources)] = seconds[:, targets] / 60.0
        distance[start : start + len(sources)] = tree_lengths(pred, sources, edge_metres)[:, targets] / 1000.0
    np.fill_diagonal(duration, 0.0)
    np.fill_diagonal(distance, 0.0)
    return distance, duration
