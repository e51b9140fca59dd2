"""ACVRP environment: our CVRP environment on an asymmetric road-distance matrix sampled from a city."""

from __future__ import annotations

from tensordict import TensorDict

from ncorouting.envs.acvrp.generator import ACVRPGenerator
from ncorouting.envs.base import require_matrix
from ncorouting.envs.cvrp.env import CVRPEnv


class ACVRPEnv(CVRPEnv):
    """CVRP dynamics and masks; costs from `dist` (row = from, column = to)."""

    name = "acvrp"
    generator_cls = ACVRPGenerator

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        require_matrix(td, "acvrp")
        return super()._reset(td, batch_size)

    def get_num_starts(self, td: TensorDict) -> int:
        """One POMO start per client (rl4co would also start one from the depot for an unknown name)."""
        return td["action_mask"].shape[-1] - 1
