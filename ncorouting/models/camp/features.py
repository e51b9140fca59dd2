"""Input features of the PVRP policies (CAMP and the sequential peer), read from the environment state.

Loads are divided by the instance's largest vehicle capacity, so the defaults (capacity 40) match CAMP's
`q / 40`; the angle around the depot is divided by pi.
"""

from __future__ import annotations

import math

import torch
from tensordict import TensorDict

from ncorouting.envs.pvrp.env import gather_nodes


def num_agents(td: TensorDict) -> int:
    return td["capacity"].size(-1)


def capacity_scale(td: TensorDict) -> torch.Tensor:
    """[B, 1]: the largest capacity of each instance's fleet."""
    return td["capacity"].max(-1, keepdim=True).values


def client_features(td: TensorDict) -> torch.Tensor:
    """[B, n, 5]: x, y, demand / capacity, distance to the depot, angle around the depot / pi."""
    m = num_agents(td)
    xy = td["locs"][:, m:]
    delta = xy - td["locs"][:, :1]
    demand = td["demand"][:, m:] / capacity_scale(td)
    angle = torch.atan2(delta[..., 1], delta[..., 0]) / math.pi
    return torch.cat([xy, demand[..., None], delta.norm(dim=-1, keepdim=True), angle[..., None]], -1)


def agent_features(td: TensorDict) -> torch.Tensor:
    """[B, m, 4]: depot x, y, capacity / largest capacity, speed."""
    m = num_agents(td)
    cap = td["capacity"] / capacity_scale(td)
    return torch.cat([td["locs"][:, :m], cap[..., None], td["speed"][..., None]], -1)


def state_features(td: TensorDict) -> torch.Tensor:
    """[B, m, 3]: time driven so far, remaining load / largest capacity, time back to the depot."""
    here = gather_nodes(td["locs"], td["current_node"])
    back = (here - td["locs"][:, :1]).norm(dim=-1) / td["speed"]
    remaining = (td["capacity"] - td["used_capacity"]) / capacity_scale(td)
    return torch.stack([td["length"] / td["speed"], remaining, back], -1)


def progress(td: TensorDict) -> torch.Tensor:
    """[B, 1]: share of clients served."""
    m = num_agents(td)
    return td["visited"][:, m:].float().mean(-1, keepdim=True)


def agent_index_encoding(num: int, embed_dim: int, device: torch.device) -> torch.Tensor:
    """Sinusoidal encoding [num, H] of the agent index 0..num-1."""
    position = torch.arange(num, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, embed_dim, 2, device=device) * (-math.log(10000.0) / embed_dim))
    enc = torch.zeros(num, embed_dim, device=device)
    enc[:, 0::2] = torch.sin(position * freq)
    enc[:, 1::2] = torch.cos(position * freq)
    return enc
