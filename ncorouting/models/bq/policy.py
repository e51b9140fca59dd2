"""The BQ policy on rl4co's constructive machinery: no encoder, and a 'decoder' that re-encodes the
whole reduced state with the BQ transformer at every step (optionally only the k nearest nodes)."""

from __future__ import annotations

import torch
from rl4co.models.common.constructive.base import ConstructiveDecoder, ConstructivePolicy, NoEncoder
from tensordict import TensorDict

from ncorouting.models.bq.env import BQCVRPEnv
from ncorouting.models.bq.network import BQMatrixTransformer, BQTransformer
from ncorouting.models.bq.state import (
    MATRIX_PROBLEMS,
    NUM_FEATURES,
    NUM_OPTIONS,
    atsp_inputs,
    cvrp_features,
    nearest,
    sub_matrix,
    tsp_features,
)


def origin_distances(td: TensorDict) -> torch.Tensor:
    """Distance [B, R] from the origin to each remaining node."""
    rows = torch.arange(td.batch_size[0], device=td.device)
    if "dist" in td.keys():
        return td["dist"][rows, td["origin"]].gather(1, td["remaining"])
    origin = td["locs"][rows, td["origin"]]
    return (td["locs"].gather(1, td["remaining"][..., None].expand(-1, -1, 2)) - origin[:, None]).norm(dim=-1)


def state_inputs(
    td: TensorDict, problem: str, knn: int | None = None
) -> tuple[tuple[torch.Tensor, ...], torch.Tensor | None]:
    """Network inputs of an environment state (tokens [B, k+2, F]; ATSP also the cost matrix) and the
    positions in `remaining` of its k candidates (None when all remaining nodes are candidates)."""
    rows = torch.arange(td.batch_size[0], device=td.device)
    positions = nearest(origin_distances(td), knn) if knn is not None else None
    candidates = td["remaining"] if positions is None else td["remaining"].gather(1, positions)
    if problem in MATRIX_PROBLEMS:
        nodes = torch.cat([td["origin"][:, None], candidates, td["dest"][:, None]], dim=1)
        return atsp_inputs(sub_matrix(td["dist"], nodes), positions is not None), positions
    locs = td["locs"]
    cand_xy = locs.gather(1, candidates[..., None].expand(-1, -1, 2))
    origin_xy, dest_xy = locs[rows, td["origin"]], locs[rows, td["dest"]]
    window = positions is not None
    if problem == "tsp":
        return (tsp_features(origin_xy, cand_xy, dest_xy, window),), positions
    demand = BQCVRPEnv.node_demand(td, candidates)
    return (cvrp_features(origin_xy, cand_xy, dest_xy, demand, td["capacity_left"], window),), positions


class BQDecoder(ConstructiveDecoder):
    """Scores every (remaining node, option) of the current state; with `knn`, only the k nodes
    nearest the origin are encoded and scored, the others are masked out."""

    def __init__(self, problem: str, network: BQTransformer, knn: int | None = None):
        super().__init__()
        self.problem = problem
        self.network = network
        self.knn = knn

    def forward(self, td: TensorDict, hidden=None, num_starts: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        inputs, positions = state_inputs(td, self.problem, self.knn)
        scores = self.network(*inputs)[:, 1:-1]  # candidates only: [B, k, options]
        mask = td["action_mask"]
        if positions is None:
            return scores.flatten(1), mask
        batch, options = scores.size(0), scores.size(-1)
        full = scores.new_full((batch, td["remaining"].size(1), options), float("-inf"))
        full.scatter_(1, positions[..., None].expand(-1, -1, options), scores)
        seen = torch.zeros_like(full, dtype=torch.bool).scatter_(1, positions[..., None].expand(-1, -1, options), True)
        return full.flatten(1), mask & seen.flatten(1)


class BQPolicy(ConstructivePolicy):
    """BQ-NCO policy for TSP, CVRP or ATSP (`env_name`); the transformer's size is configurable."""

    def __init__(
        self,
        env_name: str = "tsp",
        embed_dim: int = 128,
        num_layers: int = 4,
        num_heads: int = 8,
        ff_dim: int = 256,
        train_decode_type: str = "sampling",
        val_decode_type: str = "greedy",
        test_decode_type: str = "greedy",
        **kwargs,
    ):
        problem = env_name.removeprefix("bq_")
        if problem not in NUM_FEATURES:
            raise ValueError(f"BQ-NCO has no policy for '{env_name}' (it has {', '.join(NUM_FEATURES)})")
        network_cls = BQMatrixTransformer if problem in MATRIX_PROBLEMS else BQTransformer
        network = network_cls(NUM_FEATURES[problem], NUM_OPTIONS[problem], embed_dim, num_layers, num_heads, ff_dim)
        super().__init__(
            NoEncoder(),
            BQDecoder(problem, network),
            env_name=problem,
            train_decode_type=train_decode_type,
            val_decode_type=val_decode_type,
            test_decode_type=test_decode_type,
            **kwargs,
        )

    @property
    def network(self) -> BQTransformer:
        return self.decoder.network

    @property
    def problem(self) -> str:
        return self.decoder.problem
