"""Reduced states of the BQ-MDP (Drakulic et al. 2023): the remaining sub-problem as token features.

A state is a path problem [origin, candidates..., destination]: for TSP the current city, the unvisited
cities and the tour's first city; for CVRP the current node, the unserved clients and the depot, with
every token carrying its demand and the vehicle's remaining capacity (both divided by the capacity); for
ATSP the cost sub-matrix of [origin, unvisited..., first city], rows and columns in that order, and per
token its costs from and to both ends. Training (suffixes of labelled solutions) and decoding
(environment states) build their network inputs with these same functions, so a policy sees the same
kind of state in both.

Coordinates are translated and scaled into the unit box of the state's own tokens: a sub-problem is
then the same problem whatever its scale, which is what lets a policy trained at 50 nodes read the
k-nearest neighbourhood of a 1,000-node instance (our choice; the paper does not rescale).
"""

from __future__ import annotations

import torch

#: Slack on normalised loads, as in the standard CVRP environment.
from ncorouting.envs.cvrp.env import CAPACITY_EPS

#: Feature count per token: (x, y) for TSP; (x, y, demand / C, remaining capacity / C) for CVRP;
#: ATSP the costs origin->j, j->origin, j->destination, destination->j.
NUM_FEATURES = {"tsp": 2, "cvrp": 4, "atsp": 4}
#: Scores per candidate: one (go there); CVRP two (direct, via the depot), flattened as 2j + via.
NUM_OPTIONS = {"tsp": 1, "cvrp": 2, "atsp": 1}
#: Problems whose states are matrices (no coordinates are read).
MATRIX_PROBLEMS = ("atsp",)


def normalise_xy(xy: torch.Tensor, window: bool = False) -> torch.Tensor:
    """Coordinates [B, n, 2] moved into the unit box of each row's own tokens (one scale for both axes).

    For a k-nearest `window` of a large instance the box is that of the origin and candidates only, and
    the destination (last token, often far away) is clamped onto it: it keeps its direction roughly
    but does not squash the window. Measured on TSP200-1000 with an early TSP50 checkpoint, this
    cut the greedy gap from 20-33% to 14-15% (docs/bq.md)."""
    body = xy[:, :-1] if window else xy
    low = body.amin(dim=1, keepdim=True)
    span = (body.amax(dim=1, keepdim=True) - low).amax(dim=-1, keepdim=True).clamp_min(1e-9)
    out = (xy - low) / span
    if window:
        out = torch.cat([out[:, :-1], out[:, -1:].clamp(0.0, 1.0)], dim=1)
    return out


def path_xy(origin: torch.Tensor, candidates: torch.Tensor, dest: torch.Tensor) -> torch.Tensor:
    """Token coordinates [B, k+2, 2] of [origin, candidates..., destination]."""
    return torch.cat([origin[:, None], candidates, dest[:, None]], dim=1)


def tsp_features(
    origin: torch.Tensor, candidates: torch.Tensor, dest: torch.Tensor, window: bool = False
) -> torch.Tensor:
    """Path-TSP tokens [B, k+2, 2] from origin [B, 2], candidates [B, k, 2] and destination [B, 2]."""
    return normalise_xy(path_xy(origin, candidates, dest), window)


def cvrp_features(
    origin: torch.Tensor,
    candidates: torch.Tensor,
    depot: torch.Tensor,
    demand: torch.Tensor,
    capacity_left: torch.Tensor,
    window: bool = False,
) -> torch.Tensor:
    """Path-CVRP tokens [B, k+2, 4]: candidates' demands [B, k] (origin and depot carry 0) and the
    remaining capacity [B] on every token, both as fractions of the vehicle capacity."""
    xy = normalise_xy(path_xy(origin, candidates, depot), window)
    zero = demand.new_zeros(demand.size(0), 1)
    q = torch.cat([zero, demand, zero], dim=1)
    c = capacity_left[:, None].expand_as(q)
    return torch.cat([xy, q[..., None], c[..., None]], dim=-1)


def cvrp_option_mask(demand: torch.Tensor, capacity_left: torch.Tensor, at_depot: torch.Tensor) -> torch.Tensor:
    """Allowed (candidate, option) pairs [B, k, 2]: direct when the demand fits and the vehicle is not
    at the depot (there every move starts a route, so only 'via depot' is offered); via always."""
    direct = (demand <= capacity_left[:, None] + CAPACITY_EPS) & ~at_depot[:, None]
    return torch.stack([direct, torch.ones_like(direct)], dim=-1)


def sub_matrix(dist: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
    """Costs [B, k, k] among `nodes` [B, k] (rows and columns in that order) of matrices [B, N, N]."""
    num = dist.size(-1)
    rows = dist.gather(1, nodes[..., None].expand(-1, -1, num))
    return rows.gather(2, nodes[:, None, :].expand(-1, nodes.size(1), -1))


def atsp_inputs(costs: torch.Tensor, window: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Tokens [B, k, 4] and the cost matrix [B, k, k] of an ATSP path state (origin first, destination
    last), divided by the largest cost so the state has no scale (as GOAL rescales, see docs/bq.md).

    Tokens carry each node's costs from and to the two ends, which is what a matrix-only instance has
    instead of coordinates (the paper gives each node a random identifier; we use these columns so that
    greedy decoding is deterministic). For a k-nearest `window` the scale comes from the window without
    the destination, whose costs are clamped to it, as `normalise_xy` does for coordinates."""
    body = costs[:, :-1, :-1] if window else costs
    scale = body.amax(dim=(1, 2), keepdim=True).clamp_min(1e-9)
    matrix = costs / scale
    if window:
        matrix = matrix.clamp(max=1.0)
    tokens = torch.stack([matrix[:, 0], matrix[:, :, 0], matrix[:, :, -1], matrix[:, -1]], dim=-1)
    return tokens, matrix


def nearest(origin_to_remaining: torch.Tensor, k: int | None) -> torch.Tensor | None:
    """Positions [B, k] of the k remaining nodes nearest the origin (None: all of them are kept)."""
    if k is None or origin_to_remaining.size(1) <= k:
        return None
    return origin_to_remaining.topk(k, dim=1, largest=False).indices
