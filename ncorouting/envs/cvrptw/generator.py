"""Solomon-style CVRPTW instances (Solomon 1987, sets R/C/RC), in the unit square with speed 1.

Locations come from rl4co's samplers: uniform (Solomon's R), Gaussian clusters (C) or half and half (RC),
the depot at the centre for C and RC. Demands and capacity follow Kool et al. (as our CVRP). Time windows
follow Solomon's recipe: the depot's window is the horizon [0, H]; each client has service time `s`; a
share of the clients (the instance's window density, drawn from `tw_densities` like Solomon's 25/50/75/100%)
gets a window centred uniformly in the feasible range [t_0i, H - s - t_i0] with a random half-width; the
others may start service any time up to H - s - t_i0. Every client is thus reachable on a route of its own.
"""

from __future__ import annotations

import torch
from rl4co.envs.common.utils import Generator
from rl4co.envs.routing.cvrp.generator import CVRPGenerator
from tensordict import TensorDict

#: Location samplers per Solomon set, as rl4co names them.
DISTRIBUTIONS = {"random": "uniform", "clustered": "cluster", "mixed": "mixed"}


class CVRPTWGenerator(Generator):
    """Batches with `depot` [B, 2], `locs` [B, n, 2], `demand` [B, n] / capacity, `capacity` [B, 1],
    `time_windows` [B, n+1, 2] and `service_time` [B, n+1] (depot first, travel time = Euclidean distance)."""

    def __init__(
        self,
        num_loc: int = 20,
        distribution: str = "random",
        horizon: float = 3.0,
        service_time: float = 0.1,
        tw_densities: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0),
        half_width: tuple[float, float] = (0.05, 0.3),
        num_clusters: int = 3,
        capacity: float | None = None,
        **kwargs,
    ):
        if distribution not in DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {sorted(DISTRIBUTIONS)}, got '{distribution}'")
        if horizon < 2 * 2**0.5 + service_time:
            raise ValueError(f"horizon {horizon} too short: a client in a corner needs {2 * 2**0.5 + service_time:.3f}")
        super().__init__(**kwargs)
        self.num_loc = num_loc
        self.distribution = distribution
        self.horizon = float(horizon)
        self.service_time = float(service_time)
        self.tw_densities = torch.as_tensor(tuple(tw_densities), dtype=torch.float32)
        self.half_width = tuple(float(w) for w in half_width)
        self.min_loc, self.max_loc = 0.0, 1.0
        self.base = CVRPGenerator(
            num_loc=num_loc,
            loc_distribution=DISTRIBUTIONS[distribution],
            n_cluster=num_clusters,
            n_cluster_mix=1,
            capacity=capacity,
            **kwargs,
        )
        self.capacity = self.base.capacity

    def _generate(self, batch_size) -> TensorDict:
        td = self.base._generate(batch_size)
        if self.distribution != "random":  # Solomon's C and RC sets keep the depot central
            td["depot"] = torch.full_like(td["depot"], 0.5)
        batch = td.batch_size
        travel = (td["locs"] - td["depot"][..., None, :]).norm(dim=-1)  # depot <-> client, speed 1
        latest = self.horizon - self.service_time - travel
        density = self.tw_densities[torch.randint(len(self.tw_densities), batch)]
        has_window = torch.rand(*batch, self.num_loc) < density[..., None]
        centre = travel + (latest - travel) * torch.rand(*batch, self.num_loc)
        low, high = self.half_width
        half = low + (high - low) * torch.rand(*batch, self.num_loc)
        open_ = torch.where(has_window, (centre - half).clamp(min=0.0), torch.zeros_like(centre))
        close = torch.where(has_window, torch.minimum(centre + half, latest), latest)
        depot_window = torch.tensor([0.0, self.horizon]).expand(*batch, 1, 2)
        td["time_windows"] = torch.cat([depot_window, torch.stack([open_, close], -1)], -2)
        service = torch.full((*batch, self.num_loc + 1), self.service_time)
        service[..., 0] = 0.0
        td["service_time"] = service
        return td
