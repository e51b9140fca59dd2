"""Neural solving: decode a trained policy (greedy, multi-start, x8 augmentation) and check the routes."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from rl4co.data.transforms import StateAugmentation
from rl4co.utils.ops import unbatchify
from tensordict import TensorDict

from ncorouting.envs import make_env
from ncorouting.envs.cvrptw.batch import cvrptw_batch, fleet_vehicles, neural_support
from ncorouting.envs.tsp.checker import tour_to_routes
from ncorouting.errors import CheckpointError, InputError
from ncorouting.instance import Instance
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.search import (
    SAMPLE_TEMPERATURE,
    SEARCHES,
    Incumbent,
    eas_copies,
    eas_search,
    sample_search,
)
from ncorouting.models.zoo import get_model
from ncorouting.realworld.instances import REALWORLD_PROBLEMS, batch_from_instances
from ncorouting.solution import Solution
from ncorouting.solvers import Solver

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
#: Problems with a depot: their environments count clients (`num_loc`), not nodes.
DEPOT_PROBLEMS = ("cvrp", "cvrptw", "acvrp", "acvrptw")


def shipped_checkpoint(model: str, problem: str, num_loc: int) -> Path:
    """The shipped policy of `model` for `problem` whose training size is closest to `num_loc`."""
    found = sorted(WEIGHTS_DIR.glob(f"{model}_{problem}[0-9]*.pt"))  # not cvrptw for cvrp
    if not found:
        raise CheckpointError(f"no shipped {model} policy for {problem} in {WEIGHTS_DIR}; pass --checkpoint")
    return min(found, key=lambda p: abs(int(p.stem.split(problem)[-1]) - num_loc))


@torch.inference_mode()
def decode(
    policy: torch.nn.Module, env, td: TensorDict, multistart: bool, num_augment: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Best actions [B, L] and rewards [B] over start nodes (POMO) and dihedral augmentations."""
    td = env.reset(td)
    num_starts = env.get_num_starts(td) if multistart else 0
    if num_augment > 1:
        td = StateAugmentation(num_augment=num_augment, augment_fn="dihedral8")(td)
    decode_type = "multistart_greedy" if multistart else "greedy"
    out = policy(td, env, phase="test", decode_type=decode_type, num_starts=num_starts, return_actions=True)
    rollouts = max(num_augment, 1) * max(num_starts, 1)
    reward = unbatchify(out["reward"], rollouts)  # [B, rollouts]
    actions = unbatchify(out["actions"], rollouts)  # [B, rollouts, L]
    best = reward.argmax(dim=1)
    rows = torch.arange(reward.size(0))
    return actions[rows, best], reward[rows, best]


def actions_to_routes(problem: str, actions: Sequence[int]) -> list[list[int]]:
    """An action sequence as route lists: TSP tours rotated to city 0, CVRP split at depot visits."""
    actions = [int(a) for a in actions]
    if problem in ("tsp", "atsp"):
        return tour_to_routes(actions)
    routes, current = [], []
    for node in actions:
        if node == 0:
            if current:
                routes.append(current)
            current = []
        else:
            current.append(node)
    if current:
        routes.append(current)
    return routes


def instances_to_batch(instances: Sequence[Instance]) -> TensorDict:
    """Same-size instances as an environment batch: coordinates scaled into the unit square,
    with the true distance matrix attached unless it is the plain Euclidean one."""
    if instances[0].problem == "cvrptw":
        return cvrptw_batch(instances)
    if instances[0].problem in REALWORLD_PROBLEMS:
        return batch_from_instances(instances)
    locs, dists, demands = [], [], []
    for inst in instances:
        xy = inst.coords
        if xy.min() < 0 or xy.max() > 1:
            xy = (xy - xy.min(0)) / max(float(np.ptp(xy, axis=0).max()), 1e-12)
        locs.append(xy)
        dists.append(inst.distances)
        if inst.problem == "cvrp":
            demands.append(inst.demands[1:] / inst.capacity)
    locs_t = torch.as_tensor(np.stack(locs), dtype=torch.float32)
    batch = {"locs": locs_t}
    if instances[0].problem == "cvrp":
        batch = {
            "depot": locs_t[:, 0],
            "locs": locs_t[:, 1:],
            "demand": torch.as_tensor(np.stack(demands), dtype=torch.float32),
        }
    if not all(inst.is_exact_euclidean for inst in instances):
        batch["dist"] = torch.as_tensor(np.stack(dists), dtype=torch.float32)
    return TensorDict(batch, batch_size=[len(instances)])


class NeuralSolver(Solver):
    """A trained policy as a solver. Without `checkpoint`, the shipped policy closest in size is used.

    Decoding is one greedy pass (POMO: from every start node, best of `num_augment` dihedral
    augmentations); without `search` the time limit does not apply. With `search` ("sample" or "eas")
    the greedy answer is improved until `time_limit` seconds per instance have passed (a batch of k
    instances gets k times the limit), and the reported time covers greedy decoding and search;
    `temperature` is the softmax temperature of the search's sampling. Sampling draws `num_augment` copies
    per round; EAS 8, or 2 where too few iterations of 8 fit the time (`eas_copies`).
    """

    problems = ("tsp", "cvrp", "cvrptw")
    #: Problems whose policy reads the distance matrix only, so instances need no coordinates.
    matrix_problems: tuple[str, ...] = ()

    def __init__(
        self,
        model: str = "pomo",
        checkpoint: str | Path | None = None,
        num_augment: int | None = None,
        batch_size: int = 100,
        device: str = "cpu",
        search: str | None = None,
        temperature: float | None = None,
    ):
        if search is not None and search not in SEARCHES:
            raise InputError(f"unknown search '{search}'; choose one of {', '.join(SEARCHES)}")
        if temperature is not None and search is None:
            raise InputError("a sampling temperature applies to a search ('sample' or 'eas') only")
        if temperature is not None and not (isinstance(temperature, int | float) and 0 < temperature < float("inf")):
            raise InputError(f"temperature must be a positive number, got {temperature!r}")
        self.search = search
        self.temperature = SAMPLE_TEMPERATURE if temperature is None else float(temperature)
        self.name = model
        self.spec = get_model(model)
        self.checkpoint = checkpoint
        self.num_augment = self.spec.default_augment if num_augment is None else num_augment
        self.batch_size = batch_size
        self.device = torch.device(device)
        self._policies: dict[tuple[str, int], tuple[torch.nn.Module, dict]] = {}

    def supports(self, instance: Instance) -> str | None:
        if instance.problem == "cvrptw" and "cvrptw" in self.problems:  # its time windows are the problem itself
            reason = neural_support(instance)
        else:
            reason = super().supports(instance)
        if reason is None and instance.coords is None and instance.problem not in self.matrix_problems:
            reason = f"solver '{self.name}' needs node coordinates; this instance has an explicit matrix only"
        return reason

    def policy_path(self, problem: str, num_loc: int) -> Path:
        """The given checkpoint, else the shipped policy whose training size is nearest `num_loc`."""
        return Path(self.checkpoint) if self.checkpoint else shipped_checkpoint(self.name, problem, num_loc)

    def policy_for(self, problem: str, num_loc: int) -> tuple[torch.nn.Module, dict]:
        """Load (once) the policy for a problem and size, checking the checkpoint matches."""
        key = (problem, num_loc)
        if key not in self._policies:
            path = self.policy_path(problem, num_loc)
            policy, meta = load_policy(path, problem=problem, num_loc=num_loc, allow_other_size=True)
            if meta["model"] != self.name:
                raise CheckpointError(f"{path}: checkpoint holds a '{meta['model']}' policy, not '{self.name}'")
            self._policies[key] = (policy.to(self.device), meta)
        return self._policies[key]

    def decode_batch(
        self, problem: str, td: TensorDict, num_loc: int, time_limit: float | None = None
    ) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Decode a prepared batch in chunks of `batch_size` (then search, if asked, for `time_limit`
        seconds per instance); returns the best actions and rewards."""
        if self.search is not None and time_limit is None:
            raise InputError(f"search '{self.search}' needs a time limit (seconds per instance)")
        policy, _ = self.policy_for(problem, num_loc)
        env = make_env(problem, num_loc)
        actions, rewards = [], []
        for start in range(0, td.batch_size[0], self.batch_size):
            chunk = td[start : start + self.batch_size].to(self.device)
            began = time.perf_counter()
            best = Incumbent(*decode(policy, env, chunk.clone(), self.spec.multistart, self.num_augment))
            if self.search is not None:
                deadline = began + time_limit * chunk.batch_size[0]
                if self.search == "sample":
                    sample_search(
                        policy, env, chunk, best, self.spec.multistart, self.num_augment, deadline, self.temperature
                    )
                else:  # an EAS iteration (sampling plus a backward pass) costs about 3 greedy decodes per copy
                    per_copy = 3 * (time.perf_counter() - began) / max(self.num_augment, 1)
                    copies = eas_copies(deadline - time.perf_counter(), per_copy)
                    eas_search(
                        policy, env, chunk, best, deadline, copies * per_copy, self.temperature, num_augment=copies
                    )
            actions.extend(a.cpu() for a in best.actions)
            rewards.append(best.rewards.cpu())
        return actions, torch.cat(rewards)

    def _solve(self, instance: Instance, time_limit: float | None, seed: int) -> tuple[list[list[int]], None]:
        return self.solve_many([instance], time_limit, seed)[0].routes, None

    def solve(self, instance: Instance, time_limit: float | None = None, seed: int = 0) -> Solution:
        return self.solve_many([instance], time_limit, seed)[0]

    def solve_many(
        self,
        instances: Sequence[Instance],
        time_limit: float | None = None,
        seed: int = 0,
        workers: int = 1,
        progress: bool = False,
    ) -> list[Solution]:
        """Batch same-size instances together (`workers` does not apply: decoding is batched);
        each solution gets its share of its batch's wall time."""
        for inst in instances:
            self._require(inst)
        torch.manual_seed(seed)
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, inst in enumerate(instances):
            groups[(inst.problem, inst.num_clients if inst.problem in DEPOT_PROBLEMS else inst.num_nodes)].append(i)
        solutions: list[Solution | None] = [None] * len(instances)
        for (problem, num_loc), idx in groups.items():
            self.policy_for(problem, num_loc)  # loading is not solving time
            start = time.perf_counter()
            batch = instances_to_batch([instances[i] for i in idx])
            actions, _ = self.decode_batch(problem, batch, num_loc, time_limit if self.search else None)
            share = (time.perf_counter() - start) / len(idx)
            note = self.policy_note(problem, num_loc)
            for i, act in zip(idx, actions, strict=True):
                routes = actions_to_routes(problem, act.tolist())
                vehicles = fleet_vehicles(instances[i], routes) if problem == "cvrptw" else None
                solutions[i] = Solution.from_routes(instances[i], routes, self.name, share, vehicles)
                solutions[i].notes.append(note)
        return solutions

    def policy_note(self, problem: str, num_loc: int) -> str:
        """Which policy solved a size, and whether it was trained on another size."""
        path, meta = self.policy_path(problem, num_loc), self._policies[(problem, num_loc)][1]
        nodes = num_loc + 1 if problem in DEPOT_PROBLEMS else num_loc
        trained = meta["num_loc"] + 1 if problem in DEPOT_PROBLEMS else meta["num_loc"]
        if meta["num_loc"] == num_loc:
            return f"policy {path.name} (trained on {problem}{meta['num_loc']})"
        return f"policy {path.name} trained on n={trained} nodes, instance has {nodes} nodes"
