"""DeepACO / GFACS as solvers: encode the instance's k-NN graph once, run the ant colony until the time
limit, and hand the best tour to the checker. Any TSP or CVRP instance works, matrix-only ones too."""

from __future__ import annotations

import time
from pathlib import Path

import torch
from tensordict import TensorDict

from ncorouting.envs import make_env
from ncorouting.errors import CheckpointError, InputError
from ncorouting.graphs import CostSource, knn_graph
from ncorouting.instance import Instance
from ncorouting.models.aco.antsystem import compile_kernels
from ncorouting.models.aco.memory import check_ants
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.inference import actions_to_routes, shipped_checkpoint
from ncorouting.solution import Solution
from ncorouting.solvers import Solver

#: Seconds of search when no time limit is given.
DEFAULT_TIME_LIMIT = 10.0


def _switch(value: bool | str | None, name: str) -> bool | None:
    """A yes/no option given as a bool or as on/off (CLI and bench specs)."""
    if value is None or isinstance(value, bool):
        return value
    if str(value).lower() in ("on", "off"):
        return str(value).lower() == "on"
    raise InputError(f"{name} must be on or off, got '{value}'")


class AcoSolver(Solver):
    """A trained DeepACO or GFACS policy with ant-colony search (default: the shipped policy, 20 ants,
    its local search on). The search stops before an iteration would pass `time_limit` seconds."""

    problems = ("tsp", "cvrp")

    def __init__(
        self,
        model: str = "deepaco",
        checkpoint: str | Path | None = None,
        ants: int | None = None,
        local_search: bool | str | None = None,
        max_iterations: int | None = None,
        memory_limit_gb: float | None = None,
        device: str = "cpu",
    ):
        self.name = model
        self.checkpoint = checkpoint
        self.ants = ants
        self.local_search = _switch(local_search, "local_search")
        self.max_iterations = max_iterations
        self.memory_limit = None if memory_limit_gb is None else int(memory_limit_gb * 2**30)
        self.device = torch.device(device)
        self._policies: dict[tuple[str, int], tuple[torch.nn.Module, dict, Path]] = {}

    def policy_for(self, problem: str, num_loc: int) -> tuple[torch.nn.Module, dict, Path]:
        """Load (once) the given checkpoint or the shipped policy nearest in size, checking it fits."""
        key = (problem, num_loc)
        if key not in self._policies:
            path = Path(self.checkpoint) if self.checkpoint else shipped_checkpoint(self.name, problem, num_loc)
            policy, meta = load_policy(path, problem=problem, num_loc=num_loc, allow_other_size=True)
            if meta["model"] != self.name:
                raise CheckpointError(f"{path}: checkpoint holds a '{meta['model']}' policy, not '{self.name}'")
            policy = policy.to(self.device)
            with torch.no_grad():  # torch and torch-geometric set up lazily: not in any solve's time
                coords = torch.rand(1, 12, 2, device=self.device)
                demand = torch.full((1, 11), 0.2, device=self.device) if problem == "cvrp" else None
                policy.encoder.encode(CostSource(coords=coords), demand)
            self._policies[key] = (policy, meta, path)
        return self._policies[key]

    @staticmethod
    def _num_loc(instance: Instance) -> int:
        return instance.num_clients if instance.problem == "cvrp" else instance.num_nodes

    def solve(self, instance: Instance, time_limit: float | None = None, seed: int = 0) -> Solution:
        self._require(instance)
        self.policy_for(instance.problem, self._num_loc(instance))  # loading and compiling are not solving time
        compile_kernels()
        self._notes: list[str] = []
        solution = super().solve(instance, time_limit, seed)
        solution.notes.extend(self._notes)
        return solution

    def _batch(self, instance: Instance) -> TensorDict:
        """The environment's input: coordinates only give shapes here (costs come from the matrix)."""
        n = instance.num_nodes
        xy = torch.zeros(1, n, 2) if instance.coords is None else torch.as_tensor(instance.coords[None]).float()
        if instance.problem == "tsp":
            return TensorDict({"locs": xy}, batch_size=[1])
        demand = torch.as_tensor(instance.demands[None, 1:] / instance.capacity).float()
        return TensorDict({"depot": xy[:, 0], "locs": xy[:, 1:], "demand": demand}, batch_size=[1])

    def _solve(self, instance: Instance, time_limit: float | None, seed: int) -> tuple[list[list[int]], None]:
        deadline = time.perf_counter() + (DEFAULT_TIME_LIMIT if time_limit is None else time_limit)
        torch.manual_seed(seed)
        problem, num_loc = instance.problem, self._num_loc(instance)
        policy, meta, path = self.policy_for(problem, num_loc)
        ants = policy.n_ants["test"] if self.ants is None else self.ants
        check_ants(ants, instance.num_nodes, policy.encoder.k, policy.encoder.embed_dim, self.memory_limit)
        costs = CostSource.from_instances([instance])
        local_search = self.local_search
        if problem == "tsp" and local_search is not False and not costs.is_symmetric():
            local_search = False
            self._notes.append("asymmetric costs: 2-opt local search off (it assumes d(i, j) = d(j, i))")
        env = make_env(problem, num_loc)
        td = env.reset(self._batch(instance).to(self.device))
        with torch.no_grad():
            graph = knn_graph(costs, policy.encoder.k, depot=problem == "cvrp")
            heatmap = policy.encoder.encode(costs, td.get("demand", None), graph)[0]
            iterations = self.max_iterations or 10**9
            out = policy.search(td, env, heatmap, ants, iterations, deadline, local_search, seed)
        actions = out["actions"][0].tolist()
        trained = f"{meta['problem']}{meta['num_loc']}"
        self._notes.append(f"policy {path.name} (trained on {trained}): {out['iterations']} iterations of {ants} ants")
        return actions_to_routes(problem, actions), None
