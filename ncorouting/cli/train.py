"""`ncorouting train`: train from Hydra configs; any key can be overridden (`key=value`)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Train from Hydra configs; any key can be overridden (`key=value`)."""
    from ncorouting.training.train import load_config, train

    train(load_config(args.overrides))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train from Hydra configs, e.g. experiment=tsp20_pomo trainer.max_epochs=5")
    p.add_argument("overrides", nargs="*")
    p.set_defaults(func=run)
