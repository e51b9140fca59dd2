"""CVRPTW environment: CVRP trips from the depot, service starting inside each client's time window.

Built on our CVRP environment (capacity, visits, matrix-aware costs); it adds the clock. Travel times
come from `td["travel_time"]` when the batch has one (e.g. road durations), else from `td["dist"]`, else
Euclidean distances of `locs` (speed 1), so the same environment serves Solomon-style and road-network
instances. State keys follow rl4co's CVRPTW, so its embeddings apply: `time_windows` [B, n+1, 2],
`durations` [B, n+1] (rl4co's name for service times) and `current_time` (when the vehicle leaves its
current node; the depot's opening time at the start of every trip).
"""

from __future__ import annotations

import torch
from tensordict import TensorDict
from torchrl.data import Composite, Unbounded

from ncorouting.envs.cvrp.env import CAPACITY_EPS, CVRPEnv
from ncorouting.envs.cvrptw.generator import CVRPTWGenerator

#: Slack on float32 clock comparisons (times are in units of the instance's scale, about 1).
TIME_EPS = 1e-6
#: Optional matrices read from the input batch, copied into the state.
MATRIX_KEYS = ("dist", "travel_time")


def travel_times_from(td: TensorDict, node: torch.Tensor) -> torch.Tensor:
    """Travel times [B, N] from `node` [B, 1] to every node (matrix when present, else Euclidean)."""
    for key in ("travel_time", "dist"):
        if key in td.keys():
            matrix = td[key]
            return matrix.gather(1, node[..., None].expand(-1, 1, matrix.size(-1))).squeeze(1)
    here = td["locs"].gather(1, node[..., None].expand(-1, 1, 2))
    return (td["locs"] - here).norm(dim=-1)


def travel_times_to_depot(td: TensorDict) -> torch.Tensor:
    """Travel times [B, N] from every node back to the depot."""
    for key in ("travel_time", "dist"):
        if key in td.keys():
            return td[key][..., 0]
    return (td["locs"] - td["locs"][:, :1]).norm(dim=-1)


class CVRPTWEnv(CVRPEnv):
    """CVRPTW with unlimited identical vehicles of capacity 1 (demands normalised), waiting allowed.

    Input batch: `depot` [B, 2], `locs` [B, n, 2], `demand` [B, n], `time_windows` [B, n+1, 2] (row 0:
    the depot's horizon), `service_time` [B, n+1], optionally `dist` and `travel_time` [B, n+1, n+1].
    A client is allowed when it is unvisited, fits the remaining capacity, service can start before its
    window closes and the vehicle can still be back at the depot before the horizon. Reward: minus the
    total length.
    """

    name = "cvrptw"
    generator_cls = CVRPTWGenerator

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        device = td.device
        locs = torch.cat((td["depot"][..., None, :], td["locs"]), -2)
        windows = td["time_windows"]
        out = TensorDict(
            {
                "locs": locs,
                "demand": td["demand"],
                "time_windows": windows,
                "durations": td["service_time"],
                "current_node": torch.zeros((*batch_size, 1), dtype=torch.int64, device=device),
                "current_time": windows[..., 0, :1].clone(),
                "used_capacity": torch.zeros((*batch_size, 1), device=device),
                "vehicle_capacity": torch.ones((*batch_size, 1), device=device),
                "visited": torch.zeros((*batch_size, locs.shape[-2]), dtype=torch.bool, device=device),
                "done": torch.zeros(batch_size, dtype=torch.bool, device=device),
            },
            batch_size=batch_size,
            device=device,
        )
        for key in MATRIX_KEYS:
            if key in td.keys():
                out[key] = td[key]
        out.set("action_mask", self.get_action_mask(out))
        return out

    def _step(self, td: TensorDict) -> TensorDict:
        node = td["action"][:, None]
        travel = travel_times_from(td, td["current_node"]).gather(-1, node)
        start = torch.maximum(td["current_time"] + travel, td["time_windows"][..., 0].gather(-1, node))
        leave = start + td["durations"].gather(-1, node)
        td["current_time"] = torch.where(node == 0, td["time_windows"][..., 0, :1], leave)
        td = super()._step(td)
        # a client that no trip from the depot can reach ends the episode (the checker reports it missing)
        stuck = (node.squeeze(-1) == 0) & ~td["action_mask"][..., 1:].any(-1)
        td["done"] = td["done"] | stuck
        return td

    @staticmethod
    def get_action_mask(td: TensorDict) -> torch.Tensor:
        """Unvisited clients that fit and can be served in time (and back by the horizon); the depot
        unless we stand on it with such a client left."""
        windows = td["time_windows"]
        start = torch.maximum(td["current_time"] + travel_times_from(td, td["current_node"]), windows[..., 0])
        back = start + td["durations"] + travel_times_to_depot(td)
        in_time = (start <= windows[..., 1] + TIME_EPS) & (back <= windows[..., :1, 1] + TIME_EPS)
        too_big = td["demand"] + td["used_capacity"] > td["vehicle_capacity"] + CAPACITY_EPS
        clients_ok = ~(td["visited"][..., 1:] | too_big) & in_time[..., 1:]
        at_depot = td["current_node"] == 0
        depot_ok = ~at_depot | ~clients_ok.any(-1, keepdim=True)
        return torch.cat((depot_ok, clients_ok), -1)

    def check_solution_validity(self, td: TensorDict, actions: torch.Tensor) -> None:
        """CVRP validity plus every service start within its window and every return by the horizon."""
        super().check_solution_validity(td, actions)
        windows, service = td["time_windows"], td["durations"]
        depot_open = windows[:, 0, 0]
        time, prev = depot_open[:, None].clone(), torch.zeros_like(actions[:, :1])
        for t in range(actions.size(1) + 1):
            node = actions[:, t : t + 1] if t < actions.size(1) else torch.zeros_like(prev)
            travel = travel_times_from(td, prev).gather(-1, node)
            start = torch.maximum(time + travel, windows[..., 0].gather(-1, node))
            late = start > windows[..., 1].gather(-1, node) + TIME_EPS
            if bool(late.any()):
                raise ValueError(f"invalid CVRPTW solution: node {int(node[late][0])} served after its window")
            time = torch.where(node == 0, depot_open[:, None], start + service.gather(-1, node))
            prev = node

    def _make_spec(self) -> None:
        super()._make_spec()
        n = self.generator.num_loc
        self.observation_spec = Composite(
            **self.observation_spec,
            current_time=Unbounded(shape=(1,), dtype=torch.float32),
            time_windows=Unbounded(shape=(n + 1, 2), dtype=torch.float32),
            durations=Unbounded(shape=(n + 1,), dtype=torch.float32),
            shape=(),
        )
