"""ATSP environment: our TSP environment on an asymmetric road-distance matrix sampled from a city."""

from __future__ import annotations

from tensordict import TensorDict

from ncorouting.envs.atsp.generator import ATSPGenerator
from ncorouting.envs.base import require_matrix
from ncorouting.envs.tsp.env import TSPEnv
from ncorouting.realworld.sampling import max_normalise


class ATSPEnv(TSPEnv):
    """TSP dynamics (costs from `dist`, row = from, column = to); the reset also exposes the matrix scaled
    to [0, 1] as `cost_matrix`, the input rl4co's MatNet reads."""

    name = "atsp"
    generator_cls = ATSPGenerator

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        require_matrix(td, "atsp")
        out = super()._reset(td, batch_size)
        out["cost_matrix"] = max_normalise(td["dist"])
        return out
