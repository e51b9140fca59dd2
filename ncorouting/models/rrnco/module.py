"""Training modules for real-world matrices: rl4co's POMO (REINFORCE, shared baseline over start nodes)
and MatNet, with the loss on rewards divided by each instance's largest distance (as RRNCO trains), so
that cities of different extent weigh alike; logged and reported rewards stay in kilometres."""

from __future__ import annotations

import torch
from rl4co.models.zoo import POMO
from rl4co.models.zoo.matnet import MatNet
from tensordict import TensorDict


class ScaledRewardLoss:
    """Mixin: REINFORCE loss on reward / max(dist) per instance."""

    def calculate_loss(
        self,
        td: TensorDict,
        batch: TensorDict,
        policy_out: dict,
        reward: torch.Tensor | None = None,
        log_likelihood: torch.Tensor | None = None,
    ):
        reward = policy_out["reward"] if reward is None else reward
        scale = td["dist"].amax((-2, -1)).clamp_min(1e-12)
        scale = scale.reshape(-1, *([1] * (reward.dim() - 1)))
        return super().calculate_loss(td, batch, policy_out, reward / scale, log_likelihood)


class RealWorldPOMO(ScaledRewardLoss, POMO):
    """POMO training of a matrix policy (RRNCO) on city instances."""


class RealWorldMatNet(ScaledRewardLoss, MatNet):
    """rl4co's MatNet on city instances (ATSP), no augmentation, as in its paper."""
