"""Shared machinery of our routing environments on rl4co's `RL4COEnvBase`.

rl4co's own TSP/CVRP environments cost tours from coordinates only; ours read costs from a
per-instance distance matrix (`td["dist"]`) when one is present (TSPLIB rounding, later road
networks) and from coordinates otherwise, and can replay a given action prefix.
"""

from __future__ import annotations

import torch
from rl4co.envs.common.base import RL4COEnvBase
from tensordict import TensorDict


def path_cost(td: TensorDict, path: torch.Tensor) -> torch.Tensor:
    """Length of each batch row's node path [B, L]: from `dist` when present, else Euclidean."""
    if "dist" in td.keys():
        dist = td["dist"]
        rows = dist.gather(1, path[:, :-1, None].expand(-1, -1, dist.size(-1)))
        return rows.gather(2, path[:, 1:, None]).squeeze(-1).sum(-1)
    locs = td["locs"].gather(1, path[..., None].expand(-1, -1, 2))
    return (locs[:, 1:] - locs[:, :-1]).norm(p=2, dim=-1).sum(-1)


def require_matrix(td: TensorDict, problem: str) -> None:
    """Refuse a road-problem batch without its distance matrix: its costs come from nowhere else."""
    if "dist" not in td.keys():
        raise ValueError(f"an {problem.upper()} batch needs its distance matrix 'dist'")


class RoutingEnvBase(RL4COEnvBase):
    """Base of our environments: reset from a given batch, step through an action prefix."""

    generator_cls: type

    def __init__(self, generator=None, generator_params: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator or self.generator_cls(**(generator_params or {}))
        self._make_spec()

    def _make_spec(self) -> None:
        raise NotImplementedError

    def replay(self, td: TensorDict, prefix: torch.Tensor) -> TensorDict:
        """Step a reset state through `prefix` [B, L] of actions; raises if one is masked."""
        for t in range(prefix.size(-1)):
            action = prefix[:, t]
            allowed = td["action_mask"].gather(-1, action[:, None]).squeeze(-1)
            if not bool(allowed.all()):
                row = int((~allowed).nonzero()[0, 0])
                raise ValueError(f"action {int(action[row])} at step {t} is infeasible in batch row {row}")
            td.set("action", action)
            td = self.step(td)["next"]
        return td
