"""BQ-NCO as a solver: a trained BQ policy decoded greedily or by beam search, on instances of any
size; above `knn` remaining nodes each step encodes only the `knn` nodes nearest the current one."""

from __future__ import annotations

from pathlib import Path

import torch
from tensordict import TensorDict

from ncorouting.errors import InputError
from ncorouting.models.bq.decoding import beam_search
from ncorouting.models.bq.env import BQ_ENVS
from ncorouting.models.bq.state import MATRIX_PROBLEMS
from ncorouting.models.inference import NeuralSolver

#: Candidates encoded per step on large instances, per problem: the best greedy gaps on TSP200-1000
#: and CVRP200-1000 validation instances; for ATSP the training size, which did better than 10-30 on
#: ATSP200 road instances (docs/bq.md).
DEFAULT_KNN = {"tsp": 20, "cvrp": 20, "atsp": 50}


class BQSolver(NeuralSolver):
    """A BQ policy as a solver (default: the shipped one closest in training size). `beam` 1 is
    greedy; wider beams keep that many partial solutions and return the shortest result. `knn`:
    candidates encoded per step (None: the problem's default; 0: every remaining node)."""

    problems = tuple(BQ_ENVS)
    matrix_problems = MATRIX_PROBLEMS

    def __init__(
        self,
        checkpoint: str | Path | None = None,
        beam: int = 1,
        knn: int | None = None,
        batch_size: int = 64,
        device: str = "cpu",
    ):
        if beam < 1:
            raise InputError(f"beam width must be at least 1, got {beam}")
        if knn is not None and (knn < 0 or knn == 1):
            raise InputError(f"knn must be at least 2 (0: encode every remaining node), got {knn}")
        super().__init__("bq", checkpoint=checkpoint, num_augment=1, batch_size=batch_size, device=device)
        self.beam = beam
        self.knn = knn

    def decode_batch(
        self, problem: str, td: TensorDict, num_loc: int, time_limit: float | None = None
    ) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Decode a prepared batch in chunks (of `batch_size` instances, each with `beam` beams); one
        pass, so `time_limit` does not apply."""
        policy, _ = self.policy_for(problem, num_loc)
        policy.decoder.knn = DEFAULT_KNN[problem] if self.knn is None else (self.knn or None)
        env = BQ_ENVS[problem](generator_params={"num_loc": num_loc})
        actions, rewards = [], []
        for start in range(0, td.batch_size[0], self.batch_size):
            chunk = td[start : start + self.batch_size].to(self.device)
            a, r = beam_search(policy, env, chunk, self.beam)
            actions.extend(a.cpu())
            rewards.append(r.cpu())
        return actions, torch.cat(rewards)
