"""Our names for rl4co's models: how each is built for training and decoded at inference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from rl4co.models.zoo import AMPPO, POMO, AttentionModel, SymNCO
from rl4co.models.zoo.am.policy import AttentionModelPolicy
from rl4co.models.zoo.matnet.policy import MatNetPolicy
from rl4co.models.zoo.symnco.policy import SymNCOPolicy

from ncorouting.errors import UnknownNameError
from ncorouting.models.aco.lit import DeepACOModule, GFACSModule
from ncorouting.models.aco.policy import ACO_POLICY_DEFAULTS, SparseDeepACOPolicy, SparseGFACSPolicy
from ncorouting.models.bq.lit import bq_lit_module
from ncorouting.models.bq.policy import BQPolicy
from ncorouting.models.camp.model import PVRPSymNCO
from ncorouting.models.camp.policy import CAMPPolicy
from ncorouting.models.rrnco.module import RealWorldMatNet, RealWorldPOMO
from ncorouting.models.rrnco.policy import RRNCOPolicy
from ncorouting.models.seq_am.policy import SeqAMPolicy


@dataclass(frozen=True)
class ModelSpec:
    """A trainable model: its Lightning class (rl4co's or ours, built as `lit_class(env, policy=...,
    **data, optimizer_kwargs=..., **kwargs)`), how its policy is built, its policy defaults and decoding."""

    lit_class: type
    policy_defaults: dict = field(default_factory=dict)
    #: Builds the policy: `policy_class(env_name=..., **kwargs)`.
    policy_class: Callable[..., torch.nn.Module] = AttentionModelPolicy
    multistart: bool = False  # POMO decodes from every start node; AM from one
    default_augment: int = 1
    #: Models whose policy weights may start a run of this one (`init_from`); layers they lack start fresh.
    warm_starts: tuple[str, ...] = ()


MODELS: dict[str, ModelSpec] = {
    # POMO (Kwon et al. 2020): 6 encoder layers, instance norm, no graph context, shared baseline.
    "pomo": ModelSpec(
        POMO,
        {"num_encoder_layers": 6, "normalization": "instance", "use_graph_context": False},
        multistart=True,
        default_augment=8,
    ),
    # SymNCO (Kim et al. 2022) on POMO's policy: shared baselines over augmentations and start nodes plus the
    # invariance loss of a projection head; its policy is POMO's plus that head, so POMO weights can start it.
    "symnco": ModelSpec(
        SymNCO,
        {"num_encoder_layers": 6, "normalization": "instance", "use_graph_context": False},
        SymNCOPolicy,
        multistart=True,
        default_augment=8,
        warm_starts=("pomo",),
    ),
    # Attention Model (Kool et al. 2019), REINFORCE with a rollout (or any rl4co) baseline.
    "am": ModelSpec(AttentionModel, {"num_encoder_layers": 3}),
    # Attention Model trained with PPO (rl4co's AMPPO).
    "am_ppo": ModelSpec(AMPPO, {"num_encoder_layers": 3}),
    # BQ-NCO (Drakulic et al. 2023): re-encodes the remaining sub-problem every step; imitation or REINFORCE.
    "bq": ModelSpec(bq_lit_module, {"embed_dim": 128, "num_layers": 4, "num_heads": 8, "ff_dim": 256}, BQPolicy),
    # CAMP (Hua et al. 2025) for the profiled VRP: parallel multi-agent decoding, SymNCO-style training.
    "camp": ModelSpec(
        PVRPSymNCO, {"embed_dim": 128, "num_heads": 8, "num_encoder_layers": 3}, CAMPPolicy, default_augment=8
    ),
    # CAMP's sequential peer: an attention model moving one vehicle per step, trained the same way.
    "seq_am": ModelSpec(
        PVRPSymNCO, {"embed_dim": 128, "num_heads": 8, "num_encoder_layers": 3}, SeqAMPolicy, default_augment=8
    ),
    # RRNCO (Son et al. 2025) for ATSP/ACVRP/ACVRPTW on road matrices: POMO training, loss on reward / max D.
    "rrnco": ModelSpec(RealWorldPOMO, {}, RRNCOPolicy, multistart=True, default_augment=8),
    # MatNet (Kwon et al. 2021, rl4co's) for ATSP: the matrix-encoder peer of RRNCO, trained the same way.
    "matnet": ModelSpec(RealWorldMatNet, {}, MatNetPolicy, multistart=True),
    # DeepACO (Ye et al. 2023) and GFACS (Kim et al. 2025): GNN heatmaps on sparse k-NN graphs with ant-colony
    # search; rl4co's training modules (with a CPU budget), our sparse policies (ncorouting/models/aco).
    "deepaco": ModelSpec(DeepACOModule, dict(ACO_POLICY_DEFAULTS), SparseDeepACOPolicy),
    "gfacs": ModelSpec(GFACSModule, dict(ACO_POLICY_DEFAULTS), SparseGFACSPolicy),
}


def get_model(name: str) -> ModelSpec:
    """The spec of a model by name; a clear error listing the known ones otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownNameError("model", name, list(MODELS)) from None


def build_policy(model: str, env_name: str, policy_kwargs: dict | None = None) -> torch.nn.Module:
    """The policy of `model` for environment `env_name`, defaults merged with overrides."""
    spec = get_model(model)
    return spec.policy_class(env_name=env_name, **{**spec.policy_defaults, **(policy_kwargs or {})})
