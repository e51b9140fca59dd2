"""Profiled VRP environment on rl4co's base: m vehicles move in parallel, one action per vehicle per step.

Nodes 0..m-1 are copies of the depot (vehicle k owns copy k), nodes m..m+n-1 the clients. Every step each
vehicle proposes a node; when several propose the same client the most probable keeps it and the others stay
where they are this step (`resolve_conflicts`). A return to the depot refills the vehicle (trips unlimited).
Reward: minus J = (1 - alpha) * total travel time (distance / speed, final returns included)
- alpha * total preference of the clients each vehicle serves; PVRP-ZC has alpha = 0 and zones in the mask.
"""

from __future__ import annotations

import torch
from tensordict import TensorDict
from torchrl.data import Bounded, Composite, Unbounded

from ncorouting.envs.base import RoutingEnvBase
from ncorouting.envs.pvrp.generator import PVRPGenerator

#: Slack on loads so integer demands that sum exactly to the capacity fit.
CAPACITY_EPS = 1e-5


def resolve_conflicts(
    action: torch.Tensor, current: torch.Tensor, priority: torch.Tensor | None, num_agents: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Actions [B, m] without duplicate clients: of the vehicles proposing one client, the one of highest
    `priority` (its action's probability; ties: lowest index) keeps it, the others stay at `current`.
    Returns the resolved actions and which vehicles were halted. Depot copies never conflict."""
    if priority is None:
        priority = torch.zeros_like(action, dtype=torch.float32)
    index = torch.arange(action.size(-1), device=action.device)
    same = action[..., :, None] == action[..., None, :]  # [B, m, m]: vehicle i and j propose the same node
    p_i, p_j = priority[..., :, None], priority[..., None, :]
    beaten = (p_j > p_i) | ((p_j == p_i) & (index[None, :] < index[:, None]))  # j beats i
    halted = (same & beaten).any(-1) & (action >= num_agents)
    return torch.where(halted, current, action), halted


def gather_nodes(values: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
    """values [B, N] or [B, N, d] at nodes [B, ...] -> [B, ..., (d)]."""
    flat = nodes.reshape(nodes.size(0), -1)
    if values.dim() == 2:
        return values.gather(1, flat).view_as(nodes)
    out = values.gather(1, flat[..., None].expand(-1, -1, values.size(-1)))
    return out.view(*nodes.shape, values.size(-1))


def objective_terms(td: TensorDict, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Total travel time and total preference [B] recomputed from actions [B, m, T] (final returns added)."""
    batch, m = td["speed"].shape
    depots = torch.arange(m, device=actions.device)[None, :, None].expand(batch, m, 1)
    path = torch.cat([depots, actions, depots], -1)  # [B, m, T + 2]
    xy = gather_nodes(td["locs"], path)
    length = (xy[..., 1:, :] - xy[..., :-1, :]).norm(dim=-1).sum(-1)  # [B, m]
    moved = path[..., 1:] != path[..., :-1]
    pref = td["preference"].gather(2, path[..., 1:]) * moved
    return (length / td["speed"]).sum(-1), pref.sum((-1, -2))


class PVRPEnv(RoutingEnvBase):
    """Parallel multi-vehicle profiled VRP (variant from the generator: `p` preferences, `zc` zones).

    Input batch: as `PVRPGenerator` makes it. The action is [B, m] node indices (a vehicle's current node to
    stay); `action_priority` [B, m], when set, decides conflicts. Mask [B, m, m+n]: unvisited clients that
    fit the vehicle's remaining load and zone; vehicle k's own depot copy only, closed while every vehicle
    stands at a depot with work left (so all leave at the start) unless the vehicle can serve no client;
    only the own depot once every client is served.
    """

    name = "pvrp"
    generator_cls = PVRPGenerator

    @property
    def variant(self) -> str:
        return self.generator.variant

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        device = td.device
        batch, m = td["capacity"].shape
        n = td["locs"].size(-2)
        locs = torch.cat([td["depot"][:, None].expand(batch, m, 2), td["locs"]], 1)
        eye = torch.eye(m, dtype=torch.bool, device=device).expand(batch, m, m)
        if "zone" in td.keys():
            zone = torch.cat([eye, td["zone"].bool()], -1)
        else:
            zone = torch.cat([eye, torch.ones(batch, m, n, dtype=torch.bool, device=device)], -1)
        preference = torch.zeros(batch, m, m + n, device=device)
        if "preference" in td.keys():
            preference[..., m:] = td["preference"]
        zeros = torch.zeros(batch, m, device=device)
        out = TensorDict(
            {
                "locs": locs,
                "demand": torch.cat([torch.zeros(batch, m, device=device), td["demand"]], -1),
                "capacity": td["capacity"],
                "speed": td["speed"],
                "alpha": td["alpha"].reshape(batch),
                "preference": preference,
                "zone": zone,
                "profile": zone.float() if self.variant == "zc" else preference,
                "current_node": torch.arange(m, device=device).expand(batch, m).clone(),
                "length": zeros,
                "collected": zeros.clone(),
                "used_capacity": zeros.clone(),
                "halted": torch.zeros(batch, m, dtype=torch.bool, device=device),
                "visited": torch.zeros(batch, m + n, dtype=torch.bool, device=device),
                "i": torch.zeros(batch, 1, dtype=torch.int64, device=device),
                "done": torch.zeros(batch, dtype=torch.bool, device=device),
            },
            batch_size=[batch],
            device=device,
        )
        out.set("action_mask", self.get_action_mask(out))
        return out

    def _step(self, td: TensorDict) -> TensorDict:
        m = td["capacity"].size(-1)
        current = td["current_node"]
        priority = td.get("action_priority", None)
        action, halted = resolve_conflicts(td["action"], current, priority, m)
        moved = action != current
        step = (gather_nodes(td["locs"], action) - gather_nodes(td["locs"], current)).norm(dim=-1)
        load = td["used_capacity"] + gather_nodes(td["demand"], action) * moved
        gained = td["preference"].gather(2, action[..., None]).squeeze(-1) * moved
        visited = td["visited"].scatter(1, action, True)
        visited[:, :m] = False
        td.update(
            {
                "action": action,
                "halted": halted,
                "current_node": action,
                "length": td["length"] + step,
                "collected": td["collected"] + gained,
                "used_capacity": torch.where(action < m, torch.zeros_like(load), load),
                "visited": visited,
                "i": td["i"] + 1,
                "done": visited[:, m:].all(-1),
                "reward": torch.zeros_like(td["done"], dtype=torch.float32),
            }
        )
        td.set("action_mask", self.get_action_mask(td))
        return td

    @staticmethod
    def get_action_mask(td: TensorDict) -> torch.Tensor:
        """Feasible nodes per vehicle [B, m, m+n] (see the class docstring)."""
        batch, m = td["capacity"].shape
        remaining = (td["capacity"] - td["used_capacity"])[..., None] + CAPACITY_EPS
        clients = ~td["visited"][:, None, m:] & (td["demand"][:, None, m:] <= remaining) & td["zone"][..., m:]
        can_serve = clients.any(-1)
        all_home = (td["current_node"] < m).all(-1, keepdim=True)
        done = td["done"].view(-1, 1)
        depot_open = ~all_home | ~can_serve | done
        own_depot = torch.eye(m, dtype=torch.bool, device=clients.device)[None] & depot_open[..., None]
        return torch.cat([own_depot, clients & ~done[..., None]], -1)

    def _get_reward(self, td: TensorDict, actions: torch.Tensor) -> torch.Tensor:
        """Minus the objective recomputed from actions [B, m, T]."""
        travel_time, preference = objective_terms(td, actions)
        return -((1 - td["alpha"]) * travel_time - td["alpha"] * preference)

    def check_solution_validity(self, td: TensorDict, actions: torch.Tensor) -> None:
        """Each client served once, no trip over its vehicle's capacity, zones respected (tensor form of
        the PVRP checker), from actions [B, m, T]."""
        batch, m = td["capacity"].shape
        depots = torch.arange(m, device=actions.device)[None, :, None].expand(batch, m, 1)
        prev = torch.cat([depots, actions[..., :-1]], -1)
        arrive = actions != prev  # [B, m, T]: a move into actions[..., t]
        served = torch.zeros_like(td["demand"]).scatter_add_(
            1, actions.reshape(batch, -1), arrive.reshape(batch, -1).float()
        )
        if not bool((served[:, m:] == 1).all()):
            raise ValueError("invalid PVRP solution: a client is missing or served twice")
        home = actions < m
        if not bool((actions[home] == depots.expand_as(actions)[home]).all()):
            raise ValueError("invalid PVRP solution: a vehicle enters another vehicle's depot copy")
        if not bool(td["zone"].gather(2, actions)[arrive].all()):
            raise ValueError("invalid PVRP solution: a vehicle serves a client outside its zone")
        picked = gather_nodes(td["demand"], actions.reshape(batch, -1)).view_as(actions) * arrive
        total = picked.cumsum(-1)
        trip_start = torch.where(actions < m, total, torch.zeros_like(total)).cummax(-1).values
        if bool((total - trip_start > td["capacity"][..., None] + CAPACITY_EPS).any()):
            raise ValueError("invalid PVRP solution: a trip exceeds its vehicle's capacity")

    def _make_spec(self) -> None:
        n, m = self.generator.num_loc, self.generator.num_agents
        self.observation_spec = Composite(
            locs=Bounded(low=0.0, high=1.0, shape=(m + n, 2), dtype=torch.float32),
            current_node=Unbounded(shape=(m,), dtype=torch.int64),
            action_mask=Unbounded(shape=(m, m + n), dtype=torch.bool),
            shape=(),
        )
        self.action_spec = Bounded(shape=(m,), dtype=torch.int64, low=0, high=m + n)
        self.reward_spec = Unbounded(shape=(1,))
        self.done_spec = Unbounded(shape=(1,), dtype=torch.bool)


class PVRPPEnv(PVRPEnv):
    """PVRP-P: preferences in the objective (alpha = 0.2 by default)."""

    name = "pvrp_p"

    def __init__(self, generator=None, generator_params: dict | None = None, **kwargs):
        super().__init__(generator, {"variant": "p", **(generator_params or {})}, **kwargs)


class PVRPZCEnv(PVRPEnv):
    """PVRP-ZC: zone constraints in the mask, travel time alone in the objective."""

    name = "pvrp_zc"

    def __init__(self, generator=None, generator_params: dict | None = None, **kwargs):
        super().__init__(generator, {"variant": "zc", **(generator_params or {})}, **kwargs)
