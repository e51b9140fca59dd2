"""ACVRPTW environment: our CVRPTW environment (capacity, time windows on the `travel_time` matrix,
costs from `dist`) on instances sampled from a city."""

from __future__ import annotations

from tensordict import TensorDict

from ncorouting.envs.acvrptw.generator import ACVRPTWGenerator
from ncorouting.envs.cvrptw.env import CVRPTWEnv


class ACVRPTWEnv(CVRPTWEnv):
    """CVRPTW dynamics; travel times are road durations (normalised), costs road distances (km)."""

    name = "acvrptw"
    generator_cls = ACVRPTWGenerator

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        missing = [k for k in ("dist", "travel_time") if k not in td.keys()]
        if missing:
            raise ValueError(f"an ACVRPTW batch needs the matrices {missing}")
        return super()._reset(td, batch_size)

    def get_num_starts(self, td: TensorDict) -> int:
        """One POMO start per client."""
        return td["action_mask"].shape[-1] - 1
