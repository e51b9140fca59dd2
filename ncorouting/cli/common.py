"""Pieces shared by the subcommands: instance paths, generated-set arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

from ncorouting.errors import InputError
from ncorouting.io import INSTANCE_SUFFIXES


def instance_paths(target: Path) -> list[Path]:
    """The instance files named by a file or folder argument (a folder: every instance file in it)."""
    if target.is_dir():
        paths = sorted(p for p in target.iterdir() if p.suffix.lower() in INSTANCE_SUFFIXES)
        if not paths:
            raise InputError(f"no instance files ({', '.join(INSTANCE_SUFFIXES)}) in folder", source=str(target))
        return paths
    if not target.exists():
        raise InputError("file not found", source=str(target))
    return [target]


def add_generated_set_args(p: argparse.ArgumentParser, problem: str, size: int, count: int, seed: int) -> None:
    """Arguments describing a generated instance set: problem, size, count, seed."""
    p.add_argument("--problem", default=problem)
    p.add_argument("--size", type=int, default=size, help="cities (TSP) or clients (CVRP)")
    p.add_argument("--num-instances", type=int, default=count)
    p.add_argument("--seed", type=int, default=seed)
