"""rl4co's DeepACO and GFACS training modules with a CPU-time budget.

Lightning's `max_time` is wall time, which on a shared machine says little about the compute spent;
`max_cpu_minutes` stops training once this process has used that much CPU time (all threads)."""

from __future__ import annotations

import time

from rl4co.models.zoo.deepaco import DeepACO
from rl4co.models.zoo.gfacs import GFACS


class CpuBudgetMixin:
    """Stops Lightning's fit loop after the batch that exhausts `max_cpu_minutes` of process CPU time."""

    def __init__(self, *args, max_cpu_minutes: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_cpu_minutes = max_cpu_minutes

    def on_train_batch_end(self, outputs, batch, batch_idx) -> None:
        if self.max_cpu_minutes is not None and time.process_time() > 60 * self.max_cpu_minutes:
            self.trainer.should_stop = True


class DeepACOModule(CpuBudgetMixin, DeepACO):
    """DeepACO: REINFORCE with the ants' shared baseline, rewards mixed with local-search rewards."""


class GFACSModule(CpuBudgetMixin, GFACS):
    """GFACS: trajectory balance on sampled and on locally searched tours."""
