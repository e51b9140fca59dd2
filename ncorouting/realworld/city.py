"""City files: the travel matrices of points on a city's roads, as `.npz`, with their provenance.

A city file holds `distance` (km, the length of the fastest path), `duration` (minutes), `coords`
(longitude, latitude), `streets` (road segment ends, for drawing), the source's `name` and the
OpenStreetMap `attribution`: matrices derived from OSM are a database under the ODbL 1.0 and must
keep it when shared.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ncorouting.errors import InputError

ATTRIBUTION = (
    "Map data (c) OpenStreetMap contributors, available under the Open Database License (ODbL 1.0), "
    "https://www.openstreetmap.org/copyright. These matrices are derived from it and are licensed under the ODbL 1.0."
)


@dataclass
class City:
    """Travel matrices between points of one city (node i of every matrix is point i)."""

    name: str
    distance: np.ndarray  # [n, n] km
    duration: np.ndarray  # [n, n] minutes
    coords: np.ndarray  # [n, 2] longitude, latitude
    streets: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 2), dtype=np.float32))
    attribution: str = ATTRIBUTION
    source: str | None = None  # the file it was read from, for error messages
    info: dict = field(default_factory=dict)  # how it was built (points, seed, seconds, ...)

    def __post_init__(self) -> None:
        validate_city(self)

    @property
    def num_points(self) -> int:
        return self.distance.shape[0]


def validate_city(city: City) -> None:
    """Square matrices of one size with zero diagonal, finite and non-negative; coordinates to match."""
    where = city.source or city.name
    n = None
    for key in ("distance", "duration"):
        m = np.asarray(getattr(city, key), dtype=np.float64)
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise InputError(f"'{key}' must be a square matrix, got shape {tuple(m.shape)}", source=where)
        if n is not None and m.shape[0] != n:
            raise InputError(f"'{key}' is {m.shape[0]}x{m.shape[0]} but 'distance' is {n}x{n}", source=where)
        n = m.shape[0]
        bad = ~np.isfinite(m) | (m < 0)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise InputError(f"'{key}' entry ({i}, {j}) is {m[i, j]:g}: must be finite and non-negative", source=where)
        if np.abs(np.diag(m)).max() > 0:
            raise InputError(f"'{key}' must have a zero diagonal", source=where)
        setattr(city, key, m)
    if n < 2:
        raise InputError(f"a city needs at least 2 points, got {n}", source=where)
    coords = np.asarray(city.coords, dtype=np.float64)
    if coords.shape != (n, 2) or not np.isfinite(coords).all():
        raise InputError(f"'coords' must be {n} finite (longitude, latitude) pairs", source=where)
    city.coords = coords


def save_city(city: City, path: str | Path) -> Path:
    """Write the city as a compressed `.npz` (matrices as float32: sub-millimetre and sub-second)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {k: np.asarray(v) for k, v in city.info.items()}
    with open(path, "wb") as fh:  # a file object: numpy would append .npz to another suffix
        np.savez_compressed(
            fh,
            distance=city.distance.astype(np.float32),
            duration=city.duration.astype(np.float32),
            coords=city.coords,
            streets=city.streets.astype(np.float32),
            name=np.asarray(city.name),
            attribution=np.asarray(city.attribution),
            **{f"info_{k}": v for k, v in info.items()},
        )
    return path


def load_city(path: str | Path) -> City:
    """Read and validate a city file; errors name the file and the array at fault."""
    source = str(path)
    try:
        with np.load(path, allow_pickle=False) as blob:
            arrays = {k: blob[k] for k in blob.files}
    except FileNotFoundError:
        raise InputError("city file not found", source=source) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable .npz city file ({exc})", source=source) from None
    missing = [k for k in ("distance", "duration", "coords") if k not in arrays]
    if missing:
        raise InputError(f"not a city file: missing array(s) {', '.join(missing)}", source=source)
    info = {k[5:]: v.item() if v.ndim == 0 else v for k, v in arrays.items() if k.startswith("info_")}
    return City(
        name=str(arrays.get("name", Path(source).stem)),
        distance=arrays["distance"],
        duration=arrays["duration"],
        coords=arrays["coords"],
        streets=arrays.get("streets", np.zeros((0, 2, 2), dtype=np.float32)),
        attribution=str(arrays.get("attribution", ATTRIBUTION)),
        source=source,
        info=info,
    )


def build_city(
    osm: str | Path | None = None,
    *,
    place: str | None = None,
    num_points: int = 1000,
    seed: int = 0,
    spacing: float | None = None,
    progress: bool = True,
) -> City:
    """Road network (file or place) -> `num_points` points on its roads -> their travel matrices."""
    from ncorouting.realworld.matrices import DEFAULT_SPACING, road_segments, sample_points, travel_matrices
    from ncorouting.realworld.roads import load_road_graph

    start = time.perf_counter()
    graph, name = load_road_graph(osm, place)
    segments = road_segments(graph)
    points = sample_points(segments, num_points, np.random.default_rng(seed), spacing or DEFAULT_SPACING)
    loaded = time.perf_counter()
    distance, duration = travel_matrices(segments, points, progress=progress)
    done = time.perf_counter()
    for suffix in (".bz2", ".osm", ".xml"):
        name = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    info = {
        "points": num_points,
        "seed": seed,
        "road_nodes": graph.number_of_nodes(),
        "road_edges": graph.number_of_edges(),
        "load_seconds": round(loaded - start, 3),
        "matrix_seconds": round(done - loaded, 3),
    }
    return City(name, distance, duration, points.coords, segments.street_lines(), info=info)
