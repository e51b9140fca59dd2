"""What RRNCO reads from an environment state: normalised matrices, angles and per-node features.

Distances are divided by the instance's largest distance (D / max D, exact since min D = 0) and travel
times likewise (our ACVRPTW batches are already in units of the largest duration); time windows and
service times share the travel times' scale. Written here because
rl4co's embeddings read coordinates only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from tensordict import TensorDict

from ncorouting.realworld.sampling import max_normalise

#: Problems with a depot at node 0 (the others: every node is a city).
DEPOT_PROBLEMS = ("acvrp", "acvrptw")


@dataclass
class RRNCOInputs:
    """Normalised inputs of one batch: matrices [B, n, n], coordinates [B, n, 2], node features [B, n, F]."""

    dist: torch.Tensor
    angle: torch.Tensor
    locs: torch.Tensor
    node_features: torch.Tensor | None = None  # demand (and e, l, s with time windows); depot row zero
    duration: torch.Tensor | None = None


def pairwise_angle(locs: torch.Tensor) -> torch.Tensor:
    """Direction from node i to node j, atan2 of the coordinate difference, scaled to [-1, 1]."""
    diff = locs[:, None, :, :] - locs[:, :, None, :]
    return torch.atan2(diff[..., 1], diff[..., 0]) / math.pi


def rrnco_inputs(td: TensorDict, problem: str) -> RRNCOInputs:
    """The normalised matrices and features of a reset (or stepped) environment state."""
    locs = td["locs"].float()
    inputs = RRNCOInputs(dist=max_normalise(td["dist"].float()), angle=pairwise_angle(locs), locs=locs)
    if problem in DEPOT_PROBLEMS:
        demand = torch.cat([torch.zeros_like(td["demand"][..., :1]), td["demand"]], -1)[..., None]
        features = [demand]
        if problem == "acvrptw":  # CVRPTW state: `travel_time` matrix, `durations` = service times
            scale = td["travel_time"].float().amax((-2, -1), keepdim=True).clamp_min(1e-12)  # [B, 1, 1]
            inputs.duration = td["travel_time"].float() / scale
            features += [td["time_windows"].float() / scale, td["durations"].float()[..., None] / scale]
        inputs.node_features = torch.cat(features, -1)
    return inputs
