"""ATSP instances from real road networks: a random subset of a city's points and its sub-matrices."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rl4co.envs.common.utils import Generator
from tensordict import TensorDict

from ncorouting.realworld.city import City
from ncorouting.realworld.sampling import DEFAULT_CITY_POINTS, CitySampler


class ATSPGenerator(Generator):
    """`num_loc` points of a random city per instance: `dist` (km, asymmetric), min-max normalised `locs`
    and the raw `lonlat`. `cities` are city files, OSM extracts or `City` objects."""

    def __init__(
        self,
        num_loc: int = 50,
        cities: Sequence[str | Path | City] | None = None,
        city_points: int = DEFAULT_CITY_POINTS,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_loc = num_loc
        self.min_loc, self.max_loc = 0.0, 1.0
        self.sampler = CitySampler(cities, num_loc, city_points)

    def _generate(self, batch_size) -> TensorDict:
        s = self.sampler.sample(batch_size[0])
        return TensorDict({k: s[k] for k in ("locs", "dist", "lonlat")}, batch_size=batch_size)
