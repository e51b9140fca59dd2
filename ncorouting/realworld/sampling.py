"""Random sub-instances of city files: a subset of a city's points and its sub-matrices (as RRNCO samples
its training and test instances), batched as torch tensors for the environments' generators."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import torch

from ncorouting.errors import InputError
from ncorouting.realworld.city import City, build_city, load_city

#: Points per city when a generator is given an OSM extract instead of a city file.
DEFAULT_CITY_POINTS = 1000


@lru_cache(maxsize=16)
def _city_from_source(source: str, points: int) -> City:
    """A city file, or an OSM extract built into one (seed 0, cached per process)."""
    name = source.lower()
    if name.endswith((".osm", ".osm.bz2", ".xml")):
        return build_city(source, num_points=points, seed=0, progress=False)
    return load_city(source)


def load_cities(sources: Sequence[str | Path | City], points: int = DEFAULT_CITY_POINTS) -> list[City]:
    """Cities from city files (`.npz`), OSM extracts (`.osm`, `.osm.bz2`, built on the fly) or `City` objects."""
    if isinstance(sources, str | Path | City):
        sources = [sources]
    return [s if isinstance(s, City) else _city_from_source(str(s), points) for s in sources]


def minmax_normalise(xy: torch.Tensor) -> torch.Tensor:
    """Coordinates [..., n, 2] scaled per instance and per axis into [0, 1] (RRNCO's convention)."""
    low, high = xy.amin(-2, keepdim=True), xy.amax(-2, keepdim=True)
    return ((xy - low) / (high - low).clamp_min(1e-12)).float()


def max_normalise(matrix: torch.Tensor) -> torch.Tensor:
    """A matrix batch [..., n, n] divided by each instance's largest entry (the diagonal is 0, so the
    result spans [0, 1] and the scale is recovered exactly)."""
    return matrix / matrix.amax((-2, -1), keepdim=True).clamp_min(1e-12)


class CitySampler:
    """Instances of `num_nodes` distinct points drawn uniformly from a city chosen uniformly per instance."""

    def __init__(self, cities: Sequence[str | Path | City] | None, num_nodes: int, points: int = DEFAULT_CITY_POINTS):
        self.sources = list(cities or [])
        self.num_nodes = num_nodes
        self.points = points
        self._cities: list[City] | None = None
        self._tensors: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []

    @property
    def cities(self) -> list[City]:
        if self._cities is None:
            if not self.sources:
                raise InputError("this environment samples instances from city files: give `cities` (paths)")
            self._cities = load_cities(self.sources, self.points)
            for city in self._cities:
                if city.num_points < self.num_nodes:
                    raise InputError(
                        f"city has {city.num_points} points, fewer than the {self.num_nodes} nodes asked for",
                        source=city.source or city.name,
                    )
            self._tensors = [
                (
                    torch.as_tensor(c.distance, dtype=torch.float32),
                    torch.as_tensor(c.duration, dtype=torch.float32),
                    torch.as_tensor(c.coords, dtype=torch.float64),
                )
                for c in self._cities
            ]
        return self._cities

    def sample(self, batch_size: int) -> dict[str, torch.Tensor]:
        """`dist` (km) and `duration` (min) [B, n, n] float32, `lonlat` [B, n, 2] float64, `locs` [B, n, 2]
        min-max normalised, `city` [B] (index into `cities`), `nodes` [B, n] (point indices in the city)."""
        cities, n = self.cities, self.num_nodes
        which = torch.randint(len(cities), (batch_size,))
        dist = torch.empty(batch_size, n, n)
        duration = torch.empty(batch_size, n, n)
        lonlat = torch.empty(batch_size, n, 2, dtype=torch.float64)
        nodes = torch.empty(batch_size, n, dtype=torch.int64)
        for c, city in enumerate(cities):
            rows = (which == c).nonzero().squeeze(-1)
            if rows.numel() == 0:
                continue
            idx = torch.rand(rows.numel(), city.num_points).argsort(-1)[:, :n]
            nodes[rows] = idx
            d, t, xy = self._tensors[c]
            dist[rows] = d[idx[:, :, None], idx[:, None, :]]
            duration[rows] = t[idx[:, :, None], idx[:, None, :]]
            lonlat[rows] = xy[idx]
        return {
            "dist": dist,
            "duration": duration,
            "lonlat": lonlat,
            "locs": minmax_normalise(lonlat),
            "city": which,
            "nodes": nodes,
        }


def integer_demands(batch_size: int, num_clients: int, low: int = 1, high: int = 9) -> torch.Tensor:
    """Integer demands uniform in low..high, as float [B, n]."""
    return torch.randint(low, high + 1, (batch_size, num_clients)).float()
