"""Learning speed of the PVRP policies on one budget of training steps, in one process: CAMP decoded in
parallel (as shipped), the same CAMP network decoded one vehicle at a time, and the sequential peer
(`seq_am`). Each arm starts from the same seed and trains with the same flags as the shipped policies
(H = 64, lr 3e-4, 32 instances x 8 augmentations per step, gradient clip 1.0); every `--every` steps its
greedy objective J (one rollout, no augmentation) on the same fixed validation instances is printed.
Prints a table (J per arm and step, seconds per step) and saves the learning curves.

    python benchmarks/bench_pvrp_learning.py --problem pvrp_p --steps 300 --every 50 \
        --plot docs/img/pvrp_learning_pvrp_p.png
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import matplotlib
import torch
from lightning import Trainer
from lightning.pytorch.callbacks import Callback

from ncorouting.report import format_table
from ncorouting.training.quiet import quiet_third_party
from ncorouting.training.train import build_env, build_model, load_config

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: Arms: (label, model name, decode one vehicle at a time?)
ARMS = [("camp (parallel)", "camp", False), ("camp decoded sequentially", "camp", True), ("seq_am", "seq_am", True)]


class GreedyEvaluation(Callback):
    """Greedy J on fixed validation instances at step 0 and every `every` steps."""

    def __init__(self, env, instances, every: int):
        self.env, self.instances, self.every = env, instances, every
        self.curve: list[tuple[int, float]] = []

    def evaluate(self, module, step: int) -> None:
        module.policy.eval()
        with torch.no_grad():
            out = module.policy(self.instances.clone(), self.env, phase="test", decode_type="greedy")
        module.policy.train()
        self.curve.append((step, -float(out["reward"].mean())))
        print(f"  step {step}: J {self.curve[-1][1]:.3f}", flush=True)

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx) -> None:
        if trainer.global_step % self.every == 0:
            self.evaluate(module, trainer.global_step)


def train_arm(problem: str, model_name: str, sequential: bool, args: argparse.Namespace):
    """Train one arm for `args.steps` steps; returns its curve [(step, J)] and seconds per step."""
    overrides = [f"experiment={problem}_{model_name}", "model.policy_kwargs.embed_dim=64", "optimizer.lr=3e-4"]
    cfg = load_config(overrides)
    env = build_env(cfg)
    torch.manual_seed(args.seed)
    module, _ = build_model(cfg, env)
    module.policy.sequential = sequential
    with torch.random.fork_rng():
        torch.manual_seed(args.seed + 1)
        instances = env.reset(env.generator(args.val_instances))
    evaluation = GreedyEvaluation(env, instances, args.every)
    evaluation.evaluate(module, 0)
    trainer = Trainer(
        max_steps=args.steps,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        gradient_clip_val=1.0,
        accelerator="cpu",
        callbacks=[evaluation],
    )
    start = time.perf_counter()
    with quiet_third_party():
        trainer.fit(module)
    return evaluation.curve, (time.perf_counter() - start) / args.steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", choices=["pvrp_p", "pvrp_zc"], default="pvrp_p")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--val-instances", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--plot", type=Path, default=None, help="PNG of the learning curves")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    curves, step_seconds = {}, {}
    for label, model_name, sequential in ARMS:
        print(f"{label}:", flush=True)
        curves[label], step_seconds[label] = train_arm(args.problem, model_name, sequential, args)

    print(f"\n{args.problem} n20 m3, {platform.machine()}, {args.threads} torch thread(s); greedy J on "
          f"{args.val_instances} fixed instances (lower is better)")  # fmt: skip
    columns = ["arm", *(f"step {step}" for step, _ in next(iter(curves.values()))), "s_per_step"]
    rows = [
        {"arm": label, **{f"step {step}": round(j, 3) for step, j in curves[label]}, "s_per_step": step_seconds[label]}
        for label, *_ in ARMS
    ]
    print(format_table(rows, columns))
    if args.plot:
        fig, ax = plt.subplots(figsize=(6, 4))
        for label, curve in curves.items():
            ax.plot(*zip(*curve, strict=True), marker="o", label=label)
        ax.set(xlabel="training step (32 instances x 8 augmentations)", ylabel="greedy J", title=args.problem)
        ax.legend()
        fig.tight_layout()
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=120)
        print(f"saved {args.plot}")


if __name__ == "__main__":
    main()
