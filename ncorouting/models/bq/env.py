"""BQ-MDP environments for TSP, CVRP and ATSP: the state is the remaining sub-problem, actions index it.

The state keeps the instance (`locs`, optional `dist`, CVRP `demand` as in the standard environments),
the `origin` and `dest` nodes, the `remaining` nodes (original indices, shrinking by one per step) and,
for CVRP, `capacity_left`. An action is a position in `remaining` (CVRP: 2 x position + via-depot flag),
so every row of a batch takes exactly one step per node and shapes stay in lock-step. The visited
`nodes` (and CVRP `via` flags) are turned into the standard environment's actions, whose reward and
validity check are used as they are: a BQ rollout is costed and checked like any other.
"""

from __future__ import annotations

import torch
from tensordict import TensorDict
from torchrl.data import Bounded, Composite, Unbounded

from ncorouting.envs.atsp.env import ATSPEnv
from ncorouting.envs.atsp.generator import ATSPGenerator
from ncorouting.envs.base import RoutingEnvBase, require_matrix
from ncorouting.envs.cvrp.env import CVRPEnv
from ncorouting.envs.cvrp.generator import CVRPGenerator
from ncorouting.envs.tsp.env import TSPEnv
from ncorouting.envs.tsp.generator import TSPGenerator
from ncorouting.models.bq.state import cvrp_option_mask


def leg(td: TensorDict, frm: torch.Tensor, to: torch.Tensor) -> torch.Tensor:
    """Distance [B] from node `frm` [B] to node `to` [B]: from `dist` when present, else Euclidean."""
    rows = torch.arange(frm.size(0), device=frm.device)
    if "dist" in td.keys():
        return td["dist"][rows, frm, to]
    return (td["locs"][rows, frm] - td["locs"][rows, to]).norm(dim=-1)


def remove_position(remaining: torch.Tensor, position: torch.Tensor) -> torch.Tensor:
    """`remaining` [B, R] without the entry at `position` [B] of each row: [B, R-1], order kept."""
    keep = torch.ones_like(remaining, dtype=torch.bool).scatter(1, position[:, None], False)
    return remaining[keep].view(remaining.size(0), -1)


class BQEnvBase(RoutingEnvBase):
    """What both BQ environments share: the standard environment behind rewards and checks."""

    standard_cls: type
    options: int

    def _make_spec(self) -> None:
        # the standard environment on the same generator; its specs describe the instance keys
        self.standard = self.standard_cls(generator=self.generator, check_solution=self.check_solution)
        self.observation_spec = Composite(
            locs=self.standard.observation_spec["locs"].clone(),
            origin=Unbounded(shape=(1,), dtype=torch.int64),
            dest=Unbounded(shape=(1,), dtype=torch.int64),
            shape=(),
        )
        self.action_spec = Bounded(
            shape=(1,), dtype=torch.int64, low=0, high=self.options * self.generator.num_loc + self.options
        )
        self.reward_spec = Unbounded(shape=(1,))
        self.done_spec = Unbounded(shape=(1,), dtype=torch.bool)

    def standard_actions(self, td: TensorDict) -> torch.Tensor:
        """The visited nodes as the standard environment's action sequence [B, L]."""
        raise NotImplementedError

    def _get_reward(self, td: TensorDict, actions: torch.Tensor) -> torch.Tensor:
        """Minus the route length, computed by the standard environment from the visited nodes."""
        return self.standard._get_reward(td, self.standard_actions(td))

    def check_solution_validity(self, td: TensorDict, actions: torch.Tensor) -> None:
        """The standard environment's check on the visited nodes."""
        self.standard.check_solution_validity(td, self.standard_actions(td))

    def _common_state(self, td: TensorDict, locs: torch.Tensor, batch_size) -> dict:
        """Start at node 0 (a whole instance) or, when the batch gives a nonzero `origin` per row, at
        that node: the path sub-problem from it through all other nodes to node 0."""
        num = locs.size(-2)
        device = td.device
        zeros = torch.zeros(batch_size, dtype=torch.int64, device=device)
        origin = td["origin"] if "origin" in td.keys() else zeros
        others = torch.arange(1, num, device=device).expand(*batch_size, -1)
        if bool((origin != 0).any()):
            if not bool((origin != 0).all()) or bool((origin >= num).any()):
                raise ValueError(f"a sub-problem's origin must be a node in 1..{num - 1} in every row")
            others = others[others != origin[:, None]].view(*batch_size, num - 2)
        state = {
            "locs": locs,
            "origin": origin.clone(),
            "dest": zeros,
            "remaining": others.clone(),
            "nodes": torch.zeros((*batch_size, 0), dtype=torch.int64, device=device),
            "length": torch.zeros(batch_size, device=device),
            "reward": torch.zeros(batch_size, device=device),
            "done": torch.zeros(batch_size, dtype=torch.bool, device=device),
        }
        if "dist" in td.keys():
            state["dist"] = td["dist"]
        return state


class BQTSPEnv(BQEnvBase):
    """Path-TSP states: from the current city through the unvisited ones back to city 0."""

    name = "bq_tsp"
    generator_cls = TSPGenerator
    standard_cls = TSPEnv
    options = 1

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        state = self._common_state(td, td["locs"], batch_size)
        state["action_mask"] = torch.ones_like(state["remaining"], dtype=torch.bool)
        return TensorDict(state, batch_size=batch_size, device=td.device)

    def _step(self, td: TensorDict) -> TensorDict:
        position = td["action"]
        node = td["remaining"].gather(1, position[:, None])[:, 0]
        remaining = remove_position(td["remaining"], position)
        length = td["length"] + leg(td, td["origin"], node)
        done = remaining.size(1) == 0
        if done:
            length = length + leg(td, node, td["dest"])
        td.update(
            {
                "origin": node,
                "remaining": remaining,
                "nodes": torch.cat([td["nodes"], node[:, None]], dim=1),
                "length": length,
                "action_mask": torch.ones_like(remaining, dtype=torch.bool),
                "done": torch.full_like(td["done"], done),
            }
        )
        return td

    def standard_actions(self, td: TensorDict) -> torch.Tensor:
        """The tour from city 0: [0, visited...]."""
        return torch.cat([td["dest"][:, None], td["nodes"]], dim=1)


class BQATSPEnv(BQTSPEnv):
    """Path-ATSP states: TSP's, on the instance's asymmetric `dist` (row = from); the policy reads the
    sub-matrix of the remaining nodes."""

    name = "bq_atsp"
    generator_cls = ATSPGenerator
    standard_cls = ATSPEnv

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        require_matrix(td, "atsp")
        return super()._reset(td, batch_size)


class BQCVRPEnv(BQEnvBase):
    """Path-CVRP states: from the current node through the unserved clients to the depot, with the
    remaining capacity; each action serves one client, directly or after a reload at the depot."""

    name = "bq_cvrp"
    generator_cls = CVRPGenerator
    standard_cls = CVRPEnv
    options = 2

    def _reset(self, td: TensorDict | None = None, batch_size=None) -> TensorDict:
        locs = torch.cat((td["depot"][..., None, :], td["locs"]), -2)
        state = self._common_state(td, locs, batch_size)
        state["demand"] = td["demand"]
        full = torch.ones(batch_size, device=td.device)
        state["capacity_left"] = td["capacity_left"].clone() if "capacity_left" in td.keys() else full
        state["via"] = torch.zeros((*batch_size, 0), dtype=torch.bool, device=td.device)
        out = TensorDict(state, batch_size=batch_size, device=td.device)
        out["action_mask"] = self.action_mask(out)
        return out

    @staticmethod
    def node_demand(td: TensorDict, nodes: torch.Tensor) -> torch.Tensor:
        """Demand (fraction of capacity) of client nodes [B, ...] given by their original index."""
        return td["demand"].gather(1, (nodes - 1).reshape(nodes.size(0), -1)).view_as(nodes).to(td["length"].dtype)

    def action_mask(self, td: TensorDict) -> torch.Tensor:
        """Allowed actions [B, 2R]: 2 x position + via."""
        demand = self.node_demand(td, td["remaining"])
        return cvrp_option_mask(demand, td["capacity_left"], td["origin"] == 0).flatten(1)

    def _step(self, td: TensorDict) -> TensorDict:
        position, via = td["action"] // 2, (td["action"] % 2).bool()
        node = td["remaining"].gather(1, position[:, None])[:, 0]
        depot = torch.zeros_like(node)
        remaining = remove_position(td["remaining"], position)
        step = torch.where(via, leg(td, td["origin"], depot) + leg(td, depot, node), leg(td, td["origin"], node))
        length = td["length"] + step
        capacity = torch.where(via, torch.ones_like(td["capacity_left"]), td["capacity_left"])
        done = remaining.size(1) == 0
        if done:
            length = length + leg(td, node, depot)
        td.update(
            {
                "origin": node,
                "remaining": remaining,
                "capacity_left": capacity - self.node_demand(td, node[:, None])[:, 0],
                "nodes": torch.cat([td["nodes"], node[:, None]], dim=1),
                "via": torch.cat([td["via"], via[:, None]], dim=1),
                "length": length,
                "done": torch.full_like(td["done"], done),
            }
        )
        td["action_mask"] = self.action_mask(td)
        return td

    def standard_actions(self, td: TensorDict) -> torch.Tensor:
        """Clients in visiting order with a depot visit (0) before each reload, padded with 0s
        (a depot-to-depot leg costs nothing)."""
        nodes, via = td["nodes"], td["via"]
        pairs = torch.stack([torch.zeros_like(nodes), nodes], dim=-1).flatten(1)
        keep = torch.stack([via, torch.ones_like(via)], dim=-1).flatten(1)
        order = torch.sort((~keep).to(torch.int8), dim=1, stable=True).indices
        return (pairs * keep).gather(1, order)


BQ_ENVS: dict[str, type[BQEnvBase]] = {"tsp": BQTSPEnv, "cvrp": BQCVRPEnv, "atsp": BQATSPEnv}


def bq_env_for(env: RoutingEnvBase) -> BQEnvBase:
    """The BQ environment of a standard one (same generator); a BQ environment is returned as is."""
    if isinstance(env, BQEnvBase):
        return env
    try:
        cls = BQ_ENVS[env.name]
    except KeyError:
        raise ValueError(f"BQ-NCO has no environment for '{env.name}' (it has {', '.join(BQ_ENVS)})") from None
    return cls(generator=env.generator, check_solution=env.check_solution)
