"""TSP environment: visit every city once and return to the first one."""

from __future__ import annotations

import torch
from tensordict import TensorDict
from torchrl.data import Bounded, Composite, Unbounded

from ncorouting.envs.base import RoutingEnvBase, path_cost
from ncorouting.envs.tsp.generator import TSPGenerator


class TSPEnv(RoutingEnvBase):
    """TSP with rl4co's state keys (so its policies' embeddings apply) and matrix-aware costs.

    Input batch: `locs` [B, n, 2] and optionally `dist` [B, n, n]. Reward: minus the tour length.
    """

    name = "tsp"
    generator_cls = TSPGenerator

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        locs = td["locs"]
        num_loc = locs.shape[-2]
        zeros = torch.zeros(batch_size, dtype=torch.int64, device=td.device)
        out = {
            "locs": locs,
            "first_node": zeros,
            "current_node": zeros.clone(),
            "i": torch.zeros((*batch_size, 1), dtype=torch.int64, device=td.device),
            "action_mask": torch.ones((*batch_size, num_loc), dtype=torch.bool, device=td.device),
            "reward": torch.zeros((*batch_size, 1), dtype=torch.float32, device=td.device),
            "done": torch.zeros(batch_size, dtype=torch.bool, device=td.device),
        }
        if "dist" in td.keys():
            out["dist"] = td["dist"]
        return TensorDict(out, batch_size=batch_size, device=td.device)

    def _step(self, td: TensorDict) -> TensorDict:
        action = td["action"]
        first = action if bool((td["i"] == 0).all()) else td["first_node"]
        mask = td["action_mask"].scatter(-1, action[..., None], False)
        done = ~mask.any(-1)
        td.update(
            {
                "first_node": first,
                "current_node": action,
                "i": td["i"] + 1,
                "action_mask": mask,
                "reward": torch.zeros_like(done, dtype=torch.float32),
                "done": done,
            }
        )
        return td

    def get_action_mask(self, td: TensorDict) -> torch.Tensor:
        """Unvisited cities are allowed."""
        return td["action_mask"]

    def _get_reward(self, td: TensorDict, actions: torch.Tensor) -> torch.Tensor:
        closed = torch.cat([actions, actions[:, :1]], dim=1)
        return -path_cost(td, closed)

    def check_solution_validity(self, td: TensorDict, actions: torch.Tensor) -> None:
        """Each city exactly once (tensor form of `check_tsp`, used during training)."""
        expected = torch.arange(actions.size(1), device=actions.device).expand_as(actions)
        if not bool((actions.sort(1).values == expected).all()):
            raise ValueError("invalid TSP tour: a city is missing or repeated")

    def _make_spec(self) -> None:
        n = self.generator.num_loc
        self.observation_spec = Composite(
            locs=Bounded(low=self.generator.min_loc, high=self.generator.max_loc, shape=(n, 2), dtype=torch.float32),
            first_node=Unbounded(shape=(1,), dtype=torch.int64),
            current_node=Unbounded(shape=(1,), dtype=torch.int64),
            i=Unbounded(shape=(1,), dtype=torch.int64),
            action_mask=Unbounded(shape=(n,), dtype=torch.bool),
            shape=(),
        )
        self.action_spec = Bounded(shape=(1,), dtype=torch.int64, low=0, high=n)
        self.reward_spec = Unbounded(shape=(1,))
        self.done_spec = Unbounded(shape=(1,), dtype=torch.bool)
