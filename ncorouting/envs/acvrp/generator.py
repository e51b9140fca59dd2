"""ACVRP instances from real road networks: a depot and clients at random points of a city, integer
demands 1..9 against a capacity (50 by default), the asymmetric sub-matrix of road distances."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from rl4co.envs.common.utils import Generator
from tensordict import TensorDict

from ncorouting.realworld.city import City
from ncorouting.realworld.sampling import DEFAULT_CITY_POINTS, CitySampler, integer_demands

DEFAULT_CAPACITY = 50


class ACVRPGenerator(Generator):
    """`num_loc` clients plus a depot (node 0, a random point too) per instance: `depot`, `locs` (min-max
    normalised over all nodes), `demand` divided by `capacity`, `dist` [B, n+1, n+1] in km, `lonlat`."""

    def __init__(
        self,
        num_loc: int = 50,
        cities: Sequence[str | Path | City] | None = None,
        capacity: float = DEFAULT_CAPACITY,
        min_demand: int = 1,
        max_demand: int = 9,
        city_points: int = DEFAULT_CITY_POINTS,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_loc = num_loc
        self.capacity = float(capacity)
        self.min_demand, self.max_demand = min_demand, max_demand
        self.min_loc, self.max_loc = 0.0, 1.0
        self.sampler = CitySampler(cities, num_loc + 1, city_points)

    def sample_nodes(self, batch_size: int) -> dict[str, torch.Tensor]:
        """The city part (matrices, coordinates) and the demands of a batch."""
        s = self.sampler.sample(batch_size)
        s["demand"] = integer_demands(batch_size, self.num_loc, self.min_demand, self.max_demand) / self.capacity
        s["capacity"] = torch.full((batch_size, 1), self.capacity)
        return s

    def _generate(self, batch_size) -> TensorDict:
        return self.batch(self.sample_nodes(batch_size[0]), batch_size)

    @staticmethod
    def batch(s: dict[str, torch.Tensor], batch_size) -> TensorDict:
        """The environment input batch of a sample (depot split from the clients)."""
        return TensorDict(
            {
                "depot": s["locs"][:, 0],
                "locs": s["locs"][:, 1:],
                "demand": s["demand"],
                "capacity": s["capacity"],
                "dist": s["dist"],
                "lonlat": s["lonlat"],
            },
            batch_size=batch_size,
        )
