"""`ncorouting train`: train a policy from Hydra configs; any key can be overridden (`key=value`).

Runs write to `runs/NAME/` under the current folder (config, logs, checkpoints, policy.pt, learning
curve). Add your own experiments, environments or models in a folder laid out like ours
(`experiment/NAME.yaml`, ...) and pass it with `--config-dir`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    """Train from Hydra configs; any key can be overridden (`key=value`)."""
    from ncorouting.training.train import load_config, train

    train(load_config(args.overrides, user_dir=Path(args.config_dir) if args.config_dir else None))
    return 0


def _epilog() -> str:
    from ncorouting.training.train import config_options

    lines = ["experiments (experiment=NAME):", *(f"  {name}" for name in config_options("experiment"))]
    lines += ["", "examples:", "  ncorouting train experiment=tsp20_pomo trainer.max_time=00:01:00:00 threads=1"]
    lines += ["  ncorouting train experiment=cvrp20_pomo resume=last"]
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train from Hydra configs, e.g. experiment=tsp20_pomo trainer.max_epochs=5",
        description=__doc__,
        epilog=_epilog(),
    )
    p.add_argument("overrides", nargs="*", help="Hydra overrides: experiment=NAME, KEY=VALUE, +NEWKEY=VALUE")
    p.add_argument("--config-dir", default=None, help="a folder of your own configs, searched beside ours")
    p.set_defaults(func=run)
