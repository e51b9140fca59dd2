"""CVRP environment: one vehicle of capacity 1 (demands normalised) makes trips from the depot."""

from __future__ import annotations

import torch
from tensordict import TensorDict
from torchrl.data import Bounded, Composite, Unbounded

from ncorouting.envs.base import RoutingEnvBase, path_cost
from ncorouting.envs.cvrp.generator import CVRPGenerator

#: Slack on normalised loads, so that integer demands summing exactly to capacity fit.
CAPACITY_EPS = 1e-5


class CVRPEnv(RoutingEnvBase):
    """CVRP with rl4co's state keys and matrix-aware costs.

    Input batch: `depot` [B, 2], `locs` [B, n, 2] (clients), `demand` [B, n] divided by capacity,
    optionally `dist` [B, n+1, n+1] with the depot first. Reward: minus the total length.
    """

    name = "cvrp"
    generator_cls = CVRPGenerator

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        device = td.device
        locs = torch.cat((td["depot"][..., None, :], td["locs"]), -2)
        out = TensorDict(
            {
                "locs": locs,
                "demand": td["demand"],
                "current_node": torch.zeros((*batch_size, 1), dtype=torch.int64, device=device),
                "used_capacity": torch.zeros((*batch_size, 1), device=device),
                "vehicle_capacity": torch.ones((*batch_size, 1), device=device),
                "visited": torch.zeros((*batch_size, locs.shape[-2]), dtype=torch.bool, device=device),
                "done": torch.zeros(batch_size, dtype=torch.bool, device=device),
            },
            batch_size=batch_size,
            device=device,
        )
        if "dist" in td.keys():
            out["dist"] = td["dist"]
        out.set("action_mask", self.get_action_mask(out))
        return out

    def _step(self, td: TensorDict) -> TensorDict:
        node = td["action"][:, None]
        n = td["demand"].size(-1)
        demand = td["demand"].gather(-1, (node - 1).clamp(0, n - 1))
        used = (td["used_capacity"] + demand) * (node != 0)
        visited = td["visited"].scatter(-1, node, True)
        done = visited[..., 1:].all(-1) & (td["action"] == 0)
        td.update(
            {
                "current_node": node,
                "used_capacity": used,
                "visited": visited,
                "reward": torch.zeros_like(done, dtype=torch.float32),
                "done": done,
            }
        )
        td.set("action_mask", self.get_action_mask(td))
        return td

    @staticmethod
    def get_action_mask(td: TensorDict) -> torch.Tensor:
        """Unvisited clients whose demand fits; the depot unless we stand on it with work left."""
        too_big = td["demand"] + td["used_capacity"] > td["vehicle_capacity"] + CAPACITY_EPS
        clients_ok = ~(td["visited"][..., 1:] | too_big)
        at_depot = td["current_node"] == 0
        depot_ok = ~at_depot | ~clients_ok.any(-1, keepdim=True)
        return torch.cat((depot_ok, clients_ok), -1)

    def _get_reward(self, td: TensorDict, actions: torch.Tensor) -> torch.Tensor:
        depot = torch.zeros_like(actions[:, :1])
        return -path_cost(td, torch.cat([depot, actions, depot], dim=1))

    def check_solution_validity(self, td: TensorDict, actions: torch.Tensor) -> None:
        """Each client once, no trip over capacity (tensor form of `check_cvrp`)."""
        n = td["demand"].size(-1)
        counts = torch.zeros((actions.size(0), n + 1), dtype=torch.int64, device=actions.device)
        counts.scatter_add_(1, actions, torch.ones_like(actions))
        if not bool((counts[:, 1:] == 1).all()):
            raise ValueError("invalid CVRP solution: a client is missing or repeated")
        demand = torch.cat([torch.zeros_like(td["demand"][:, :1]), td["demand"]], 1).gather(1, actions)
        load = torch.zeros_like(demand[:, 0])
        for t in range(actions.size(1)):
            load = torch.where(actions[:, t] == 0, torch.zeros_like(load), load + demand[:, t])
            if bool((load > 1 + CAPACITY_EPS).any()):
                raise ValueError("invalid CVRP solution: a trip exceeds the capacity")

    def _make_spec(self) -> None:
        n = self.generator.num_loc
        self.observation_spec = Composite(
            locs=Bounded(
                low=self.generator.min_loc, high=self.generator.max_loc, shape=(n + 1, 2), dtype=torch.float32
            ),
            current_node=Unbounded(shape=(1,), dtype=torch.int64),
            demand=Bounded(low=0.0, high=1.0, shape=(n,), dtype=torch.float32),
            action_mask=Unbounded(shape=(n + 1,), dtype=torch.bool),
            shape=(),
        )
        self.action_spec = Bounded(shape=(1,), dtype=torch.int64, low=0, high=n + 1)
        self.reward_spec = Unbounded(shape=(1,))
        self.done_spec = Unbounded(shape=(1,), dtype=torch.bool)
