"""Training BQ policies with Lightning, from the suite's Hydra configs (`model=bq`):
`algorithm: imitation` (cross-entropy on suffixes of expert solutions, the paper's method) or
`algorithm: reinforce` (rl4co's REINFORCE, e.g. with its greedy-rollout baseline, to fine-tune)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from rl4co.data.dataset import FastTdDataset
from rl4co.models.rl.common.base import RL4COLitModule
from rl4co.models.rl.reinforce.reinforce import REINFORCE
from tensordict import TensorDict
from torch.utils.data import DataLoader

from ncorouting.models.bq.env import BQEnvBase, bq_env_for
from ncorouting.models.bq.labels import load_labels
from ncorouting.models.bq.policy import BQPolicy
from ncorouting.models.bq.trajectories import (
    augment,
    suffix_sizes,
    suffix_states,
    trajectories,
    trajectory_length,
)


def imitation_loss(policy: BQPolicy, traj: TensorDict, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy of the expert's next move over the suffix states with `size` tokens, and the
    share of states where it is also the policy's first choice."""
    inputs, allowed, target = suffix_states(traj, policy.problem, size)
    scores = policy.network(*inputs)[:, 1:-1].masked_fill(~allowed, float("-inf")).flatten(1)
    loss = F.cross_entropy(scores, target)
    return loss, (scores.argmax(dim=1) == target).float().mean()


class BQImitation(RL4COLitModule):
    """Imitation of labelled solutions: each batch draws one suffix size for all its trajectories
    (one shape per batch); the last `val_instances` labelled instances are held out and decoded
    greedily after each epoch, giving `val/reward` and `val/gap_pct` to the expert's solutions."""

    def __init__(
        self,
        env: BQEnvBase,
        policy: BQPolicy,
        labels: str,
        val_instances: int = 256,
        augment: bool = True,
        **kwargs,
    ):
        super().__init__(env, policy, **kwargs)
        self.labels_path = labels
        self.val_instances = val_instances
        self.augment = augment

    def setup(self, stage: str = "fit") -> None:
        problem, size = self.policy.problem, self.env.generator.num_loc
        labels = load_labels(self.labels_path, problem=problem, size=size)
        if not 0 < self.val_instances < len(labels):
            raise ValueError(f"val_instances={self.val_instances} must be below the {len(labels)} labelled instances")
        cut = len(labels) - self.val_instances
        self.train_batch_size = self.data_cfg["batch_size"]
        self.val_batch_size = self.data_cfg["val_batch_size"] or self.train_batch_size
        self.train_dataset = FastTdDataset(trajectories(labels)[:cut])
        val = labels.instances[cut:].clone()
        val["reference"] = torch.as_tensor(labels.costs[cut:], dtype=torch.float32)
        self.val_dataset = FastTdDataset(val)
        self.sizes = suffix_sizes(problem, trajectory_length(self.train_dataset.data))
        self.dataloader_names = None
        self.setup_loggers()

    def train_dataloader(self) -> DataLoader:
        return DataLoader(
            self.train_dataset,
            batch_size=self.train_batch_size,
            shuffle=True,
            drop_last=len(self.train_dataset) > self.train_batch_size,
            collate_fn=FastTdDataset.collate_fn,
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val_dataset, batch_size=self.val_batch_size, collate_fn=FastTdDataset.collate_fn)

    def training_step(self, batch: TensorDict, batch_idx: int) -> torch.Tensor:
        size = int(torch.randint(self.sizes[0], self.sizes[1] + 1, ()))
        if self.augment:
            batch = augment(batch, self.policy.problem)
        loss, accuracy = imitation_loss(self.policy, batch, size)
        self.log_metrics({"loss": loss, "accuracy": accuracy}, "train")
        return loss

    def validation_step(self, batch: TensorDict, batch_idx: int, dataloader_idx: int | None = None) -> dict:
        out = self.policy(self.env.reset(batch), self.env, phase="val")
        gap = 100 * (-out["reward"] - batch["reference"]) / batch["reference"]
        return self.log_metrics({"reward": out["reward"], "gap_pct": gap}, "val")

    def instantiate_metrics(self, metrics: dict) -> None:
        super().instantiate_metrics(metrics)
        self.train_metrics = metrics.get("train", ["loss", "accuracy"])
        self.val_metrics = metrics.get("val", ["reward", "gap_pct"])

    def on_train_epoch_end(self) -> None:
        """The labelled set stays fixed (no regeneration as in RL)."""


class BQReinforce(REINFORCE):
    """rl4co's REINFORCE on the BQ environment (baseline, decoding and data as rl4co configures them)."""

    def __init__(self, env, policy: BQPolicy, **kwargs):
        super().__init__(bq_env_for(env), policy, **kwargs)


def bq_lit_module(env, policy: BQPolicy, algorithm: str = "imitation", **kwargs) -> RL4COLitModule:
    """The Lightning module of a BQ run: `algorithm` is `imitation` (needs `labels`) or `reinforce`."""
    if algorithm == "imitation":
        return BQImitation(bq_env_for(env), policy, **kwargs)
    if algorithm == "reinforce":
        if kwargs.pop("labels", None) is not None:
            raise ValueError("labels apply to algorithm=imitation; REINFORCE generates its own instances")
        kwargs.pop("val_instances", None)
        return BQReinforce(env, policy, **kwargs)
    raise ValueError(f"unknown BQ training algorithm '{algorithm}' (use imitation or reinforce)")
