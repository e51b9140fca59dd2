"""rl4co's Ant System on sparse heatmaps: pheromone per k-NN edge ([B, E], not [B, n, n]), a wall-time
deadline, tour costs from the instances' own costs, and our local searches (2-opt on neighbour lists
for TSP, PyVRP's operators for CVRP). Iteration bookkeeping (`_one_step`, best-tour tracking) is rl4co's.
"""

from __future__ import annotations

import functools
import math
import time

import numpy as np
import torch
from rl4co.models.zoo.deepaco.antsystem import AntSystem
from tensordict import TensorDict

from ncorouting.baselines.lkh import routes_from_depot_tour
from ncorouting.graphs import CostSource, knn_graph
from ncorouting.models.aco.cvrp_search import CVRPLocalSearch
from ncorouting.models.aco.heatmap import SparseHeatmap, batch_index
from ncorouting.models.aco.sampler import sample_tours
from ncorouting.models.aco.two_opt import two_opt


def actions_of(routes_per_row: list[list[list[int]]], device: torch.device) -> torch.Tensor:
    """CVRP routes as actions (a 0 after each trip) for many rows, padded with zeros to one length [R, L]."""
    rows = [[node for route in routes for node in (*route, 0)] for routes in routes_per_row]
    length = max(len(r) for r in rows)
    return torch.tensor([r + [0] * (length - len(r)) for r in rows], dtype=torch.long, device=device)


@functools.cache
def compile_kernels() -> None:
    """Compile (or load from numba's cache) the sampler and local search once per process, on a toy
    instance of every cost kind, so that no solve is timed with compilation in it."""
    coords = np.random.default_rng(0).random((1, 6, 2))
    matrices = np.sqrt(((coords[:, :, None] - coords[:, None]) ** 2).sum(-1))
    graph = knn_graph(CostSource(matrices=torch.from_numpy(matrices)), k=3)
    targets, weights = graph.targets.numpy(), np.zeros((1, graph.num_edges))
    for kind in ({"coords": coords}, {"matrices": matrices}):
        tours = sample_tours(weights, targets, 3, 2, 0, scale=np.ones(1), **kind)
        two_opt(tours, np.zeros(2, dtype=np.int64), targets.reshape(1, 6, 3), **kind)
    depot = knn_graph(CostSource(matrices=torch.from_numpy(matrices)), k=3, depot=True)
    sample_tours(np.zeros((1, depot.num_edges)), depot.targets.numpy(), 3, 2, 0, demand=np.full((1, 6), 0.3))


class SparseAntSystem(AntSystem):
    """Ant System (Dorigo et al. 1996) as rl4co runs it, on a `SparseHeatmap`.

    `demands` [B, n] (depot first, divided by capacity) enables the CVRP local search.
    """

    def __init__(
        self,
        heatmap: SparseHeatmap,
        n_ants: int = 20,
        alpha: float = 1.0,
        beta: float = 1.0,
        decay: float = 0.95,
        Q: float | None = None,
        use_local_search: bool = False,
        local_search_params: dict | None = None,
        seed: int = 0,
        **unused,
    ):
        if unused.get("use_nls"):
            raise ValueError("neural-guided local search (NLS) is not available on sparse heatmaps")
        super().__init__(
            heatmap.logits.detach(), n_ants, alpha, beta, decay, Q, None, use_local_search, False, 1,
            local_search_params or {},
        )  # fmt: skip
        self.heatmap, self.seed, self.iterations, self.deadline = heatmap, seed, 0, None
        self._cvrp_search: dict[int, CVRPLocalSearch] = {}

    def run(self, td_initial: TensorDict, env, n_iterations: int, decoding_kwargs: dict, deadline: float | None = None):
        """Run up to `n_iterations` (at least one) and stop before one would end past `deadline`
        (a `time.perf_counter()` value; CVRP's local search also stops there, after one solution);
        returns the best actions [B, L] and rewards per iteration."""
        self.deadline, last = deadline, 0.0
        while self.iterations < n_iterations:
            if self.iterations and deadline is not None and time.perf_counter() + last > deadline:
                break
            start = time.perf_counter()
            self._one_step(td_initial.clone(), env, decoding_kwargs)
            last = time.perf_counter() - start
            self.final_reward_cache[self.iterations] = self.final_reward.clone()
            self.iterations += 1
        return self._convert_final_action_to_matrix(), self.final_reward_cache

    def _sampling(self, td: TensorDict, env, decoding_kwargs: dict):
        """Tours of every ant (compiled sampler: rl4co's steps the environment once per node)."""
        weights = self.alpha * torch.log(self.pheromone) + self.beta * self.log_heuristic
        graph = self.heatmap.graph
        seed = self.seed * 1_000_003 + self.iterations
        common = {"weights": weights.double().cpu().numpy(), "targets": graph.targets.cpu().numpy(), "k": graph.k}
        if graph.depot:
            demand = torch.nn.functional.pad(td["demand"], (1, 0)).cpu().numpy()
            tours = sample_tours(**common, ants=self.n_ants, seed=seed, demand=demand)
        else:
            coords, matrices = self._cost_arrays()
            scale = self.heatmap.scale.cpu().numpy()
            tours = sample_tours(**common, ants=self.n_ants, seed=seed, coords=coords, matrices=matrices, scale=scale)
        actions = torch.from_numpy(tours).to(weights.device)
        return td, env, actions, self.rewards(actions)

    def _cost_arrays(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The costs as arrays for compiled code: coordinates [B, n, 2] or matrices [B, n, n]."""
        costs = self.heatmap.costs
        coords = None if costs.coords is None else costs.coords.detach().cpu().numpy()
        return coords, None if costs.matrices is None else costs.matrices.cpu().numpy()

    def rewards(self, actions: torch.Tensor) -> torch.Tensor:
        """Minus the cost of each row's tour (TSP: closed; CVRP: from and back to the depot), [R]."""
        b = batch_index(actions.size(0), self.batch_size, actions.device)
        if self.heatmap.graph.depot:
            depot = torch.zeros_like(actions[:, :1])
            paths = torch.cat([depot, actions, depot], 1)
        else:
            paths = torch.cat([actions, actions[:, :1]], 1)
        return -self.heatmap.costs.path_cost(paths, b).float()

    def local_search(self, td: TensorDict, env, actions: torch.Tensor, decoding_kwargs: dict | None = None):
        """Improved actions and their rewards (rl4co's signature; `td` rows beyond costs are not used)."""
        rows = actions.size(0)
        b = batch_index(rows, self.batch_size, actions.device).cpu().numpy()
        graph = self.heatmap.graph
        if not graph.depot:
            coords, matrices = self._cost_arrays()
            neighbours = graph.targets.view(self.batch_size, graph.num_nodes, graph.k).cpu().numpy()
            tours = two_opt(actions.cpu().numpy(), b, neighbours, coords, matrices, **self.local_search_params)
            improved = torch.from_numpy(tours).to(actions.device)
        else:
            demand = td["demand"].detach().cpu().numpy()
            routes = [routes_from_depot_tour(row) for row in actions.cpu().numpy()]
            for r in range(rows):  # PyVRP's search takes long on large instances: stop at the deadline
                if r and self.deadline is not None and time.perf_counter() > self.deadline:
                    break
                routes[r] = self._cvrp(int(b[r]), demand[b[r]]).improve(routes[r])
            improved = actions_of(routes, actions.device)
        return improved, self.rewards(improved)

    def _cvrp(self, b: int, client_demand: np.ndarray) -> CVRPLocalSearch:
        if b not in self._cvrp_search:
            demands = np.concatenate([[0.0], client_demand.astype(np.float64)])
            self._cvrp_search[b] = CVRPLocalSearch(self.heatmap.costs.dense(b), demands, seed=self.seed + b)
        return self._cvrp_search[b]

    def _update_pheromone(self, actions: torch.Tensor, reward: torch.Tensor) -> None:
        """Evaporate, then deposit each ant's mapped reward on the graph edges of its tour (closing edge included)."""
        batch, ants = reward.shape
        flat = actions.reshape(batch * ants, -1)
        b = torch.arange(batch, device=flat.device).repeat_interleave(ants)
        if self.heatmap.graph.depot:
            depot = torch.zeros_like(flat[:, :1])
            paths = torch.cat([depot, flat, depot], 1)
        else:
            paths = torch.cat([flat, flat[:, :1]], 1)
        ids = self.heatmap.graph.edge_ids(paths, b)
        deposit = self._reward_map(reward).detach().reshape(-1, 1).expand_as(ids)
        keep = ids >= 0
        delta = torch.zeros_like(self.pheromone)
        delta.index_put_((b[:, None].expand_as(ids)[keep], ids[keep]), deposit[keep].to(delta.dtype), accumulate=True)
        self.pheromone = self.pheromone * self.decay + delta

    def _reward_map(self, x: torch.Tensor) -> torch.Tensor:
        """rl4co's min-max squared reward map, safe when every ant of an instance scored the same."""
        high, low = x.max(-1, keepdim=True).values, x.min(-1, keepdim=True).values
        return ((x - low) / (high - low).clamp(min=math.ulp(1.0))) ** 2 * self.Q
