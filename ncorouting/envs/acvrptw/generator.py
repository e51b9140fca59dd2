"""ACVRPTW instances from real road networks: ACVRP instances plus time windows on the duration matrix,
built as RRNCO builds them so that every client is feasible on a route of its own.

Times are in units of the instance's largest duration (T / max T); `time_scale` holds max T in minutes.
Service s_i ~ U(0.15, 0.18), window length w_i ~ U(0.18, 0.20), horizon 4.6; with d_i the larger of
T[0, i] and T[i, 0] and h_i = (4.6 - s_i - w_i) / d_i - 1, the window opens at T[0, i] + (h_i - 1) d_i U(0, 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from tensordict import TensorDict

from ncorouting.envs.acvrp.generator import DEFAULT_CAPACITY, ACVRPGenerator
from ncorouting.realworld.city import City
from ncorouting.realworld.sampling import DEFAULT_CITY_POINTS, max_normalise

HORIZON = 4.6


class ACVRPTWGenerator(ACVRPGenerator):
    """ACVRP batches plus `travel_time` [B, n+1, n+1], `time_windows` [B, n+1, 2] and `service_time`
    [B, n+1] in normalised time, and `time_scale` [B, 1] (minutes per unit)."""

    def __init__(
        self,
        num_loc: int = 50,
        cities: Sequence[str | Path | City] | None = None,
        capacity: float = DEFAULT_CAPACITY,
        horizon: float = HORIZON,
        service_time: tuple[float, float] = (0.15, 0.18),
        window_length: tuple[float, float] = (0.18, 0.20),
        city_points: int = DEFAULT_CITY_POINTS,
        **kwargs,
    ):
        super().__init__(num_loc, cities, capacity, city_points=city_points, **kwargs)
        self.horizon = float(horizon)
        self.service_time = tuple(float(v) for v in service_time)
        self.window_length = tuple(float(v) for v in window_length)

    @staticmethod
    def _uniform(shape: tuple[int, ...], bounds: tuple[float, float]) -> torch.Tensor:
        return bounds[0] + (bounds[1] - bounds[0]) * torch.rand(shape)

    def _generate(self, batch_size) -> TensorDict:
        s = self.sample_nodes(batch_size[0])
        td = self.batch(s, batch_size)
        travel = max_normalise(s["duration"])
        td.update({"travel_time": travel, "time_scale": s["duration"].amax((-2, -1))[:, None], **self.windows(travel)})
        return td

    def windows(self, travel: torch.Tensor) -> dict[str, torch.Tensor]:
        """Service times and windows [B, n+1] for normalised travel times [B, n+1, n+1] (depot row 0)."""
        b, n = travel.shape[0], travel.shape[1] - 1
        service = self._uniform((b, n), self.service_time)
        length = self._uniform((b, n), self.window_length)
        out_, back = travel[:, 0, 1:], travel[:, 1:, 0]
        d_max = torch.maximum(out_, back)
        h = (self.horizon - service - length) / (d_max + 1e-6) - 1
        early = out_ + (h - 1) * d_max * torch.rand(b, n)
        depot = torch.tensor([0.0, self.horizon]).expand(b, 1, 2)
        windows = torch.cat([depot, torch.stack([early, early + length], -1)], 1)
        return {"time_windows": windows, "service_time": torch.cat([torch.zeros(b, 1), service], 1)}
