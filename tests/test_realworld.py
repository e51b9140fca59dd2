"""OpenStreetMap to travel matrices: a synthetic one-way street grid (no ../shared needed), the shared
aguascalientes extract when present, and clear errors with no output for bad input."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from ncorouting.cli import main
from ncorouting.errors import InputError
from ncorouting.realworld.city import ATTRIBUTION, City, build_city, load_city, save_city
from ncorouting.realworld.matrices import road_segments, sample_points, split_graph, travel_matrices
from ncorouting.realworld.roads import load_road_graph

OSM_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm"
ORIGIN = (8.54, 47.37)  # lon, lat of the synthetic grid's south-west corner
STEP = 0.0012  # degrees between grid nodes (about 90 m east-west, 130 m north-south)


def _osm_way(way_id: int, refs: list[int], tags: dict[str, str]) -> str:
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    return (
        f'<way id="{way_id}" version="1">{nds}' + "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()) + "</way>"
    )


def write_grid_osm(path: Path, size: int = 5, seed: int = 0, drivable: bool = True) -> Path:
    """A jittered size x size street grid: even rows one-way east, odd columns one-way north, the middle
    column a tertiary road; a footway diagonal and a private road that must be dropped.
    `drivable=False` makes every way a footway."""
    rng = np.random.default_rng(seed)
    ids = np.arange(size * size).reshape(size, size) + 1
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="ncorouting-tests">']
    for (i, j), node in np.ndenumerate(ids):
        lon = ORIGIN[0] + (j + rng.uniform(-0.2, 0.2)) * STEP
        lat = ORIGIN[1] + (i + rng.uniform(-0.2, 0.2)) * STEP
        lines.append(f'<node id="{node}" lat="{lat:.7f}" lon="{lon:.7f}" version="1"/>')
    car = "residential" if drivable else "footway"
    ways = [(ids[i].tolist(), {"highway": car, "oneway": "yes" if i % 2 == 0 else "no"}) for i in range(size)]
    for j in range(size):
        kind = "tertiary" if j == size // 2 and drivable else car
        ways.append((ids[:, j].tolist(), {"highway": kind, "oneway": "yes" if j % 2 else "no"}))
    ways.append((np.diag(ids).tolist(), {"highway": "footway"}))
    ways.append(([int(ids[0, -1]), int(ids[-1, 0])], {"highway": "service", "access": "private"}))
    lines += [_osm_way(1000 + w, refs, tags) for w, (refs, tags) in enumerate(ways)]
    path.write_text("\n".join([*lines, "</osm>", ""]))
    return path


@pytest.fixture(scope="module")
def grid_osm(tmp_path_factory) -> Path:
    return write_grid_osm(tmp_path_factory.mktemp("osm") / "grid.osm")


def check_city(city: City, n: int) -> None:
    """Square matrices of n points, zero diagonal, every pair reachable, positive off the diagonal."""
    for m in (city.distance, city.duration):
        assert m.shape == (n, n)
        assert np.isfinite(m).all()
        assert (np.diag(m) == 0).all()
        assert (m[~np.eye(n, dtype=bool)] > 0).all()
    assert city.coords.shape == (n, 2)


def agree_with_networkx(graph, segments, points, city: City, pairs) -> None:
    """Durations and the lengths of the fastest paths equal networkx's Dijkstra on the same road graph."""
    src, dst, secs, metres = split_graph(segments, points)
    g = nx.DiGraph()
    for a, b, t, m in zip(src, dst, secs, metres, strict=True):
        g.add_edge(int(a), int(b), t=float(t), m=float(m))
    offset = len(segments.node_xy)
    for i, j in pairs:
        path = nx.dijkstra_path(g, offset + i, offset + j, weight="t")
        seconds = sum(g[a][b]["t"] for a, b in zip(path[:-1], path[1:], strict=True))
        length = sum(g[a][b]["m"] for a, b in zip(path[:-1], path[1:], strict=True))
        assert city.duration[i, j] == pytest.approx(seconds / 60, rel=1e-9)
        assert city.distance[i, j] == pytest.approx(length / 1000, rel=1e-6)


def test_grid_drops_footways_and_private_roads_and_keeps_one_way_streets(grid_osm):
    graph, name = load_road_graph(grid_osm)
    assert name == "grid.osm"
    assert all(d["highway"] in ("residential", "tertiary") for _, _, d in graph.edges(data=True))
    assert nx.is_strongly_connected(graph)
    one_way = [(u, v) for u, v in graph.edges() if not graph.has_edge(v, u)]
    assert one_way, "one-way streets must stay one-way"
    assert all(d["travel_time"] > 0 and d["speed_kph"] > 0 for _, _, d in graph.edges(data=True))


def test_grid_city_matrices_are_asymmetric_and_match_networkx(grid_osm):
    graph, _ = load_road_graph(grid_osm)
    segments = road_segments(graph)
    points = sample_points(segments, 30, np.random.default_rng(1))
    distance, duration = travel_matrices(segments, points, chunk=7, progress=False)
    city = City("grid", distance, duration, points.coords)
    check_city(city, 30)
    off = ~np.eye(30, dtype=bool)
    assert (np.abs(distance - distance.T) > 1e-9)[off].mean() > 0.3  # one-way streets
    # road distance is at least the straight line (about 1 km per 0.009 degree of latitude here)
    agree_with_networkx(graph, segments, points, city, [(0, 1), (1, 0), (5, 17), (17, 5), (29, 3)])


def test_city_file_round_trip_keeps_attribution_and_streets(grid_osm, tmp_path):
    city = build_city(grid_osm, num_points=12, seed=3, progress=False)
    loaded = load_city(save_city(city, tmp_path / "grid.npz"))
    assert loaded.attribution == ATTRIBUTION and "ODbL" in loaded.attribution
    assert loaded.streets.shape[1:] == (2, 2) and len(loaded.streets) > 0
    assert np.allclose(loaded.distance, city.distance, rtol=1e-6)
    assert loaded.info["points"] == 12 and loaded.info["seed"] == 3
    again = build_city(grid_osm, num_points=12, seed=3, progress=False)
    assert np.array_equal(again.distance, city.distance)  # deterministic for a seed


def test_aguascalientes_city_has_complete_asymmetric_matrices():
    osm = OSM_DIR / "aguascalientes.osm.bz2"
    if not osm.is_file():
        pytest.skip(f"OSM extracts not found at {OSM_DIR} (only present beside the team's checkout)")
    graph, _ = load_road_graph(osm)
    segments = road_segments(graph)
    points = sample_points(segments, 1000, np.random.default_rng(0))
    distance, duration = travel_matrices(segments, points, progress=False)
    city = City("aguascalientes", distance, duration, points.coords)
    check_city(city, 1000)
    off = ~np.eye(1000, dtype=bool)
    assert (np.abs(distance - distance.T) > 1e-9)[off].mean() > 0.9
    agree_with_networkx(graph, segments, points, city, [(0, 999), (999, 0), (10, 500), (321, 654)])


@pytest.mark.parametrize("case", ["no drivable road", "too many points", "not osm"])
def test_build_errors_are_clear_and_write_nothing(case, tmp_path, capsys):
    if case == "no drivable road":
        osm, points, expect = write_grid_osm(tmp_path / "paths.osm", drivable=False), 10, "no drivable road"
    elif case == "too many points":
        osm, points, expect = write_grid_osm(tmp_path / "grid.osm"), 5000, "holds at most"
    else:
        osm, points, expect = tmp_path / "junk.osm", 10, "not a readable OSM XML file"
        osm.write_text("this is not xml")
    out = tmp_path / "city.npz"
    assert main(["realworld", "build", "--osm", str(osm), "--points", str(points), "--out", str(out)]) == 2
    assert expect in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("case", ["non-square", "negative", "missing"])
def test_bad_city_files_are_refused_by_name(case, tmp_path, capsys):
    n = 6
    arrays = {
        "distance": np.ones((n, n)) - np.eye(n),
        "duration": np.ones((n, n)) - np.eye(n),
        "coords": np.zeros((n, 2)),
    }
    if case == "non-square":
        arrays["distance"] = np.ones((n, n + 1))
    elif case == "negative":
        arrays["duration"][2, 3] = -1.0
    else:
        del arrays["coords"]
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError, match="bad.npz"):
        load_city(path)
    out = tmp_path / "instances"
    assert main(["realworld", "sample", "--city", str(path), "--size", "3", "--out", str(out)]) == 2
    assert "bad.npz" in capsys.readouterr().err
    assert not out.exists()
