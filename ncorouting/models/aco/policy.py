"""DeepACO and GFACS policies: rl4co's `DeepACOPolicy` / `GFACSPolicy` (training rollouts, local-search
rewards, GFlowNet flows) with our sparse graph encoder, sparse-heatmap decoder and sparse ant system.

Validation and test run the ant colony on the sparse heatmap (rl4co's would build an n x n one);
`search` is also what the solver calls, with a wall-time deadline.
"""

from __future__ import annotations

import torch
from rl4co.models.zoo.deepaco import DeepACOPolicy
from rl4co.models.zoo.gfacs import GFACSPolicy
from tensordict import TensorDict

from ncorouting.errors import InputError
from ncorouting.models.aco.antsystem import SparseAntSystem
from ncorouting.models.aco.encoder import SparseGraphEncoder
from ncorouting.models.aco.heatmap import SparseHeatmap, SparseHeatmapDecoder

#: Policy settings unless a config overrides them (DeepACO's GNN: 12 layers of width 32; k = n / 5 at n = 100).
ACO_POLICY_DEFAULTS = {"k": 20, "embed_dim": 32, "num_layers": 12, "heatmap_layers": 3}
#: rl4co's defaults, smaller for CPU: ants per instance and ant-colony iterations per phase.
DEFAULT_ANTS = {"train": 20, "val": 20, "test": 20}
DEFAULT_ITERATIONS = {"train": 1, "val": 3, "test": 10}


def check_graph_size(k: int) -> int:
    """A policy's k must allow a tour: at least 2 neighbours per node."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise InputError(f"ACO policies need k >= 2 graph neighbours per node, got k={k}")
    return k


class AcoSearchMixin:
    """What DeepACO and GFACS share: our sparse encoder and decoder under rl4co's policy, and the
    ant-colony search on the sparse heatmap for validation, test and the solver."""

    #: GFACS: the encoder also estimates log Z (of sampled and of locally searched tours).
    log_z_heads = False

    def __init__(
        self,
        env_name: str = "tsp",
        k: int = 20,
        embed_dim: int = 32,
        num_layers: int = 12,
        heatmap_layers: int = 3,
        n_ants: dict | int | None = None,
        n_iterations: dict | int | None = None,
        aco_kwargs: dict | None = None,
        train_with_local_search: bool = True,
        temperature: float = 1.0,
    ):
        z_heads = (2 if train_with_local_search else 1) if self.log_z_heads else 0
        encoder = SparseGraphEncoder(env_name, check_graph_size(k), embed_dim, num_layers, heatmap_layers, z_heads)
        super().__init__(
            encoder=encoder,
            env_name=env_name,
            temperature=temperature,
            aco_class=SparseAntSystem,
            aco_kwargs={"use_local_search": train_with_local_search, **(aco_kwargs or {})},
            train_with_local_search=train_with_local_search,
            n_ants=n_ants if n_ants is not None else DEFAULT_ANTS,
            n_iterations=n_iterations if n_iterations is not None else DEFAULT_ITERATIONS,
        )
        self.decoder = SparseHeatmapDecoder()

    def forward(self, td_initial: TensorDict, env=None, phase: str = "train", **kwargs) -> dict:
        if phase == "train":
            return super().forward(td_initial, env, phase=phase, **kwargs)
        heatmap = self.encoder(td_initial)[0]
        # Validation scores the heatmap alone (ants without local search): with 2-opt / Or-opt the colony
        # is within 0.4 % of LKH-3 at TSP100 even from random weights, so its curve would not show learning.
        local_search = False if phase == "val" else None
        ants, iterations = self.n_ants[phase], self.n_iterations[phase]
        return self.search(td_initial, env, heatmap, ants, iterations, local_search=local_search)

    @torch.no_grad()
    def search(
        self,
        td: TensorDict,
        env,
        heatmap: SparseHeatmap,
        n_ants: int,
        n_iterations: int,
        deadline: float | None = None,
        local_search: bool | None = None,
        seed: int = 0,
    ) -> dict:
        """Best tours of the ant colony: `reward` [B], `actions` [B, L], `iterations` run."""
        use_ls = self.aco_kwargs.get("use_local_search", False) if local_search is None else local_search
        aco = SparseAntSystem(heatmap, n_ants=n_ants, **{**self.aco_kwargs, "use_local_search": use_ls}, seed=seed)
        actions, _ = aco.run(td, env, n_iterations, {}, deadline=deadline)
        return {"reward": aco.final_reward, "actions": actions, "iterations": aco.iterations}


class SparseDeepACOPolicy(AcoSearchMixin, DeepACOPolicy):
    """DeepACO (Ye et al. 2023): GNN heatmap on the k-NN graph, trained by REINFORCE on ant rollouts."""


class SparseGFACSPolicy(AcoSearchMixin, GFACSPolicy):
    """GFACS (Kim et al. 2025): the same heatmap trained as a GFlowNet (trajectory balance, log Z heads)."""

    log_z_heads = True
