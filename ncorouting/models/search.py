"""Test-time search for a trained POMO / AM policy under a wall-time budget: plain sampling, or rl4co's
Efficient Active Search (EAS, Hottung et al. 2022). Both start from the greedy decode (all starts, all
augmentations) and keep the best solution seen, so more time never returns a worse answer."""

from __future__ import annotations

import time

import torch
from lightning import Trainer
from rl4co.data.dataset import TensorDictDataset
from rl4co.data.transforms import StateAugmentation
from rl4co.models.zoo.eas import EASEmb
from rl4co.utils.ops import unbatchify
from tensordict import TensorDict

from ncorouting.errors import InputError
from ncorouting.training.quiet import quiet_third_party

SEARCHES = ("sample", "eas")
#: Softmax temperature of the searches' sampling (both sample; EAS learns from its samples). Our CPU-trained
#: policies sample too widely at 1.0: on 5 validation instances at 100 nodes (seed 4321), sampling lowered
#: the x8 mean cost by 0.00 / 0.55% (CVRP) and 0.22 / 1.10% (TSP) at 1.0 / 0.3 (docs/benchmarks.md).
SAMPLE_TEMPERATURE = 0.3
#: Adam step size of EAS's embedding updates (rl4co's default, from Hottung et al. 2022).
EAS_LEARNING_RATE = 0.0041
#: EAS samples 8 augmented copies of each instance per iteration (the dihedral set, as in the paper) when at
#: least this many such iterations fit its budget, else 2 (the fewest rl4co's EAS takes) for four times the
#: iterations. Measured before sampling moved to `sampling.sample_categorical`: at 10 s per instance on one
#: thread, 8 copies fit about 25-50 iterations at 50 nodes and 4-8 at 100; on the 10 instances per case of
#: docs/benchmarks.md, 8 copies against 2: TSP50 0.38 / 0.96 %, CVRP50 2.61 / 2.12 %, CVRP100 7.37 / 6.38 %
#: above LKH-3 / HGS.
EAS_MIN_ITERATIONS = 10


def eas_copies(budget: float, copy_iteration: float) -> int:
    """Augmented copies per EAS iteration for `budget` seconds, an iteration costing `copy_iteration` per copy."""
    return 8 if budget >= EAS_MIN_ITERATIONS * 8 * copy_iteration else 2


class Incumbent:
    """The best action sequence and reward per instance so far (sequences may differ in length)."""

    def __init__(self, actions: torch.Tensor, rewards: torch.Tensor):
        self.actions = list(actions)
        self.rewards = rewards.clone()

    def offer(self, actions: torch.Tensor, rewards: torch.Tensor) -> None:
        better = rewards > self.rewards
        for row in better.nonzero().flatten().tolist():
            self.actions[row] = actions[row]
        self.rewards = torch.where(better, rewards, self.rewards)


@torch.inference_mode()
def _sample_round(
    policy, env, td: TensorDict, multistart: bool, num_augment: int, temperature: float
) -> tuple[torch.Tensor, ...]:
    """One sampled rollout per start node and augmentation at `temperature`; the best per instance."""
    td = env.reset(td)
    num_starts = env.get_num_starts(td) if multistart else 0
    if num_augment > 1:
        td = StateAugmentation(num_augment=num_augment, augment_fn="dihedral8")(td)
    decode_type = "multistart_sampling" if multistart else "sampling"
    out = policy(
        td,
        env,
        phase="test",
        decode_type=decode_type,
        num_starts=num_starts,
        return_actions=True,
        temperature=temperature,
    )
    rollouts = max(num_augment, 1) * max(num_starts, 1)
    reward, actions = unbatchify(out["reward"], rollouts), unbatchify(out["actions"], rollouts)
    best = reward.argmax(dim=1)
    rows = torch.arange(reward.size(0))
    return actions[rows, best], reward[rows, best]


def sample_search(
    policy,
    env,
    td: TensorDict,
    incumbent: Incumbent,
    multistart: bool,
    num_augment: int,
    deadline: float,
    temperature: float = SAMPLE_TEMPERATURE,
) -> Incumbent:
    """Rounds of sampling at `temperature` while another round is expected to end by `deadline` (a
    perf_counter value), keeping the best per instance."""
    round_time = 0.0
    while time.perf_counter() + round_time < deadline:
        began = time.perf_counter()
        incumbent.offer(*_sample_round(policy, env, td.clone(), multistart, num_augment, temperature))
        round_time = time.perf_counter() - began
    return incumbent


class _DeadlineEAS(EASEmb):
    """rl4co's EAS (embedding variant) whose budget is a wall-clock deadline, so that Lightning's set-up
    counts against it too. rl4co checks its `max_runtime` after each iteration, just after logging once; the
    logging call sets it so that the search stops when another iteration as long as the last would end past
    the deadline (a guess made up front, as `eas_search` makes to decide whether to start, can leave most of
    an iteration unused)."""

    def __init__(self, *args, deadline: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def training_step(self, batch, batch_idx):
        self._iteration_began = time.perf_counter()
        self.hparams.max_runtime = float("inf")
        return super().training_step(batch, batch_idx)

    def log_dict(self, *args, **kwargs) -> None:
        now = time.perf_counter()
        last_iteration, self._iteration_began = now - self._iteration_began, now
        self.hparams.max_runtime = -1.0 if now + last_iteration > self.deadline else float("inf")
        super().log_dict(*args, **kwargs)


def eas_search(
    policy,
    env,
    td: TensorDict,
    incumbent: Incumbent,
    deadline: float,
    iteration_guess: float,
    temperature: float = SAMPLE_TEMPERATURE,
    learning_rate: float = EAS_LEARNING_RATE,
    num_augment: int = 8,
) -> Incumbent:
    """EAS on the whole batch until `deadline` (a perf_counter value), sampling `num_augment` (at least 2)
    augmented copies of each instance at `temperature`, keeping the best per instance. Not started when the
    estimate of one iteration, `iteration_guess` seconds, does not fit before the deadline."""
    if num_augment < 2:
        raise InputError(f"EAS samples at least 2 augmented copies of an instance, not {num_augment}")
    if deadline - time.perf_counter() < iteration_guess:
        return incumbent
    count = td.batch_size[0]
    if count == 1:  # rl4co's EAS squeezes away a batch of one; search two copies of the instance instead
        td = torch.cat([td, td])
    with quiet_third_party(), torch.inference_mode(False):
        search = _DeadlineEAS(
            env,
            policy,
            dataset=TensorDictDataset(td.clone()),
            batch_size=td.batch_size[0],
            max_iters=10**9,  # the deadline stops it
            augment_size=num_augment,
            augment_dihedral=num_augment == 8,
            optimizer_kwargs={"lr": learning_rate, "weight_decay": 1e-6},
            verbose=False,
            deadline=deadline,
        )
        trainer = Trainer(
            max_epochs=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            accelerator="gpu" if td.device.type == "cuda" else "cpu",
            devices=1,
            precision="32-true",
        )
        state = {k: v.clone() for k, v in policy.state_dict().items()}
        trained_temperature, policy.temperature = policy.temperature, temperature  # rl4co's EAS reads it here
        try:
            trainer.fit(search)
        finally:
            policy.temperature = trained_temperature
            policy.load_state_dict(state)  # EAS adapts embeddings only, but leave the policy exactly as found
    solutions = search.instance_solutions.reshape(td.batch_size[0], -1)[:count].cpu()
    if env.name in ("tsp", "atsp"):  # EAS pads every solution with zeros to twice the size: a tour has n
        solutions = solutions[:, : td["locs"].shape[-2]]
    incumbent.offer(solutions, search.instance_rewards.reshape(-1)[:count].cpu())
    return incumbent
