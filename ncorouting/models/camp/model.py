"""Training of the PVRP policies: REINFORCE with a shared baseline over symmetric augmentations and the
invariance loss (rl4co's SymNCO), optionally on sizes sampled per batch."""

from __future__ import annotations

import random
import time
from typing import Any

from rl4co.models.zoo.symnco import SymNCO

METRICS = {
    "train": ["loss", "reward", "travel_time", "preference", "halting_ratio", "loss_inv"],
    "val": ["reward", "max_aug_reward", "travel_time", "preference", "halting_ratio"],
    "test": ["reward", "max_aug_reward", "travel_time", "preference", "halting_ratio"],
}


class PVRPSymNCO(SymNCO):
    """SymNCO for the PVRP policies: each instance is copied `num_augment` times by a random rotation or
    reflection about (0.5, 0.5) (copy 0 unchanged), one sampled rollout per copy, advantage = reward minus
    the mean over the copies; plus `alpha` x the invariance loss on the projected initial embeddings.

    `sample_sizes`, e.g. {"num_loc": [20, 100], "num_agents": [3, 7]}, draws (n, m) uniformly per training
    batch and generates that batch anew at that size (slicing would break the angle sectors).
    `max_cpu_minutes` stops training once this process has used that much CPU time (core-minutes, all
    threads), a budget that holds on a shared machine where wall time does not."""

    def __init__(
        self,
        env,
        policy,
        num_augment: int = 8,
        alpha: float = 0.2,
        beta: float = 1.0,
        sample_sizes: dict | None = None,
        max_cpu_minutes: float | None = None,
        metrics: dict | None = None,
        **kwargs,
    ):
        super().__init__(
            env,
            policy,
            num_augment=num_augment,
            augment_fn="symmetric",
            feats=["locs"],
            alpha=alpha,
            beta=beta,
            num_starts=0,
            metrics=metrics or METRICS,
            **kwargs,
        )
        self.sample_sizes = sample_sizes
        self.max_cpu_minutes = max_cpu_minutes

    def shared_step(self, batch: Any, batch_idx: int, phase: str, dataloader_idx: int | None = None):
        if phase == "train" and self.sample_sizes:
            sizes = {key: random.randint(int(low), int(high)) for key, (low, high) in self.sample_sizes.items()}
            batch = self.env.generator._generate(batch.batch_size, **sizes).to(batch.device)
        return super().shared_step(batch, batch_idx, phase, dataloader_idx)

    def on_train_batch_end(self, outputs, batch, batch_idx) -> None:
        if self.max_cpu_minutes is not None and time.process_time() > 60 * self.max_cpu_minutes:
            self.trainer.should_stop = True
