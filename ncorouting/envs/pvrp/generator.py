"""Profiled VRP instance generator (CAMP's defaults): uniform depot and clients in the unit square, integer
demands 1..9, capacity 40 and speed 1 per vehicle, and per variant either preference rows (PVRP-P) or zones
(PVRP-ZC). Zones are drawn per instance and always leave every client at least one allowed vehicle."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from rl4co.envs.common.utils import Generator
from tensordict import TensorDict

VARIANTS = ("p", "zc")
PREFERENCES = ("random", "angle", "cluster")
#: Largest share of the fleet a client can be forbidden by the zone generator (floor(r * m), r < 2/3).
MAX_FORBIDDEN_SHARE = 2 / 3


def _per_vehicle(value: float | Sequence[float], num_agents: int, name: str) -> torch.Tensor:
    values = torch.as_tensor(value, dtype=torch.float32).reshape(-1)
    if values.numel() == 1:
        values = values.expand(num_agents)
    if values.numel() != num_agents or not bool((values > 0).all()):
        raise ValueError(f"{name} must be one positive number or {num_agents} of them, got {value}")
    return values


def preference_matrix(kind: str, depot: torch.Tensor, locs: torch.Tensor, num_agents: int) -> torch.Tensor:
    """Preferences [B, m, n] in [0, 1]: `random` uniform, `angle` 1 inside the vehicle's angular sector
    around the depot (m equal sectors) else 0, `cluster` 1 - distance to the vehicle's centre client / sqrt 2."""
    batch, n = locs.shape[:2]
    if kind == "random":
        return torch.rand(batch, num_agents, n)
    if kind == "angle":
        delta = locs - depot[:, None]
        angle = torch.atan2(delta[..., 1], delta[..., 0]) % (2 * math.pi)
        sector = (angle / (2 * math.pi / num_agents)).long().clamp(max=num_agents - 1)
        return (sector[:, None, :] == torch.arange(num_agents)[None, :, None]).float()
    if kind == "cluster":
        centres = locs.gather(1, torch.randint(n, (batch, num_agents, 1)).expand(-1, -1, 2))
        return 1 - torch.cdist(centres, locs) / math.sqrt(2)
    raise ValueError(f"unknown preference generator '{kind}'; known: {', '.join(PREFERENCES)}")


def zone_matrix(batch: int, num_agents: int, num_loc: int) -> torch.Tensor:
    """Allowed vehicles [B, m, n] (bool): per instance a rate r ~ U(0, 2/3); each client forbids
    floor(r * m) random vehicles, so at least one vehicle may always serve it."""
    rate = torch.rand(batch) * MAX_FORBIDDEN_SHARE
    forbidden = (rate * num_agents).floor().long()[:, None, None]
    rank = torch.rand(batch, num_agents, num_loc).argsort(1).argsort(1)  # a random permutation per client
    return rank >= forbidden


class PVRPGenerator(Generator):
    """Batches of profiled VRP instances as TensorDicts: `depot` [B, 2], `locs` [B, n, 2], `demand` [B, n]
    (integers, not normalised), `capacity` and `speed` [B, m], `alpha` [B], and `preference` [B, m, n]
    (variant `p`) or `zone` [B, m, n] bool (variant `zc`)."""

    def __init__(
        self,
        num_loc: int = 20,
        num_agents: int = 3,
        variant: str = "p",
        preference: str = "random",
        alpha: float = 0.2,
        capacity: float | Sequence[float] = 40.0,
        speed: float | Sequence[float] = 1.0,
        min_demand: int = 1,
        max_demand: int = 9,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if variant not in VARIANTS:
            raise ValueError(f"unknown PVRP variant '{variant}'; known: {', '.join(VARIANTS)}")
        if preference not in PREFERENCES:
            raise ValueError(f"unknown preference generator '{preference}'; known: {', '.join(PREFERENCES)}")
        self.num_loc, self.num_agents = int(num_loc), int(num_agents)
        self.variant, self.preference = variant, preference
        self.alpha = float(alpha) if variant == "p" else 0.0
        self.capacity = capacity
        self.speed = speed
        self.min_demand, self.max_demand = int(min_demand), int(max_demand)
        self.min_loc, self.max_loc = 0.0, 1.0
        _per_vehicle(capacity, self.num_agents, "capacity")
        _per_vehicle(speed, self.num_agents, "speed")

    def _generate(self, batch_size, num_loc: int | None = None, num_agents: int | None = None) -> TensorDict:
        """A batch; `num_loc`/`num_agents` override the sizes (e.g. sampled per training batch)."""
        n = self.num_loc if num_loc is None else int(num_loc)
        m = self.num_agents if num_agents is None else int(num_agents)
        batch = int(math.prod(batch_size))
        depot, locs = torch.rand(batch, 2), torch.rand(batch, n, 2)
        capacity = _per_vehicle(self.capacity, m, "capacity")
        data = {
            "depot": depot,
            "locs": locs,
            "demand": torch.randint(self.min_demand, self.max_demand + 1, (batch, n)).float(),
            "capacity": capacity.expand(batch, m).clone(),
            "speed": _per_vehicle(self.speed, m, "speed").expand(batch, m).clone(),
            "alpha": torch.full((batch,), self.alpha),
        }
        if self.variant == "p":
            data["preference"] = preference_matrix(self.preference, depot, locs, m)
        else:  # a client whose allowed vehicles are all too small gets the largest vehicle too
            zone = zone_matrix(batch, m, n) & (capacity[None, :, None] >= data["demand"][:, None, :])
            stranded = ~zone.any(1)
            zone[:, int(capacity.argmax())] |= stranded
            data["zone"] = zone
        if float(data["demand"].max()) > float(capacity.max()):
            raise ValueError(f"max_demand {self.max_demand} exceeds every vehicle capacity {self.capacity}")
        return TensorDict(data, batch_size=[batch]).reshape(batch_size)
