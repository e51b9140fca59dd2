"""The PVRP policies (CAMP, the sequential peer) as solvers: greedy decoding, best of 8 dihedral
augmentations by default, every solution checked by the PVRP checker."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

import torch
from rl4co.data.transforms import StateAugmentation
from rl4co.utils.ops import unbatchify
from tensordict import TensorDict

from ncorouting.envs import make_env
from ncorouting.envs.pvrp.batch import actions_to_trips, instances_to_batch
from ncorouting.instance import PROFILED_PROBLEMS, Instance
from ncorouting.models.inference import NeuralSolver
from ncorouting.solution import Solution


@torch.inference_mode()
def decode_pvrp(policy, env, td: TensorDict, num_augment: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Greedy rollouts of `td` (a generator-style batch); the best of `num_augment` augmentations (the 8
    dihedral symmetries of the unit square when 8, else random rotations/reflections). Returns actions
    [B, m, T] and rewards [B]."""
    td = env.reset(td)
    if num_augment > 1:
        augment_fn = "dihedral8" if num_augment == 8 else "symmetric"
        td = StateAugmentation(num_augment=num_augment, augment_fn=augment_fn, feats=["locs"])(td)
    out = policy(td, env, phase="test", decode_type="greedy")
    reward = unbatchify(out["reward"], num_augment) if num_augment > 1 else out["reward"][:, None]
    actions = unbatchify(out["actions"], num_augment) if num_augment > 1 else out["actions"][:, None]
    best = reward.argmax(1)
    rows = torch.arange(reward.size(0))
    return actions[rows, best], reward[rows, best]


class PVRPNeuralSolver(NeuralSolver):
    """A trained CAMP or sequential-peer policy; without `checkpoint`, the shipped one closest in size.

    One greedy pass per augmentation (8 by default), so `time_limit` does not apply; each solution gets
    its share of its batch's wall time. Coordinates outside the unit square are scaled into it for the
    policy (the routes are then judged on the instance's own distances)."""

    problems = PROFILED_PROBLEMS
    side_constraints = True

    def __init__(self, model: str = "camp", batch_size: int = 500, **options):
        super().__init__(model=model, batch_size=batch_size, **options)  # larger chunks: less per-step overhead

    def decode_batch(
        self, problem: str, td: TensorDict, num_loc: int | None = None
    ) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Decode a generator-style batch in chunks of `batch_size`: best actions [m, T] and rewards."""
        num_loc, num_agents = td["locs"].size(1), td["capacity"].size(1)
        policy, _ = self.policy_for(problem, num_loc)
        env = make_env(problem, num_loc, num_agents=num_agents)
        actions, rewards = [], []
        for start in range(0, td.batch_size[0], self.batch_size):
            chunk = td[start : start + self.batch_size].to(self.device)
            a, r = decode_pvrp(policy, env, chunk, self.num_augment)
            actions.extend(a.cpu())
            rewards.append(r.cpu())
        return actions, torch.cat(rewards)

    def solve_many(
        self,
        instances: Sequence[Instance],
        time_limit: float | None = None,
        seed: int = 0,
        workers: int = 1,
        progress: bool = False,
    ) -> list[Solution]:
        """Batch instances of the same problem, client count and fleet size (`workers` does not apply)."""
        for inst in instances:
            self._require(inst)
        torch.manual_seed(seed)
        groups: dict[tuple[str, int, int], list[int]] = defaultdict(list)
        for i, inst in enumerate(instances):
            groups[(inst.problem, inst.num_clients, len(inst.fleet))].append(i)
        solutions: list[Solution | None] = [None] * len(instances)
        for (problem, num_loc, _), idx in groups.items():
            _, meta = self.policy_for(problem, num_loc)  # loading is not solving time
            start = time.perf_counter()
            actions, _ = self.decode_batch(problem, instances_to_batch([instances[i] for i in idx]))
            share = (time.perf_counter() - start) / len(idx)
            for i, act in zip(idx, actions, strict=True):
                routes, vehicles = actions_to_trips(act)
                solutions[i] = Solution.from_routes(instances[i], routes, self.name, share, vehicles)
                if meta["num_loc"] != num_loc:
                    solutions[i].notes.append(f"policy trained on {meta['num_loc']} clients, used on {num_loc}")
        return solutions
