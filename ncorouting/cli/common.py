"""Pieces shared by the subcommands: instance paths, argument types, generated-set arguments."""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

from ncorouting.errors import InputError
from ncorouting.io import INSTANCE_SUFFIXES


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help lines that show each argument's default (unless the help text already speaks of it or there
    is none to show); descriptions and epilogs keep their line breaks."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, argparse.SUPPRESS) or action.default is False:
            return text
        return text + (" (default: %(default)s)" if action.option_strings else "")


def instance_paths(target: Path) -> list[Path]:
    """The instance files named by a file or folder argument (a folder: every instance file in it)."""
    if target.is_dir():
        paths = sorted(p for p in target.iterdir() if p.suffix.lower() in INSTANCE_SUFFIXES)
        if not paths:
            raise InputError(f"no instance files ({', '.join(INSTANCE_SUFFIXES)}) in folder", source=str(target))
        for path in paths:
            if not path.is_file():
                raise InputError("is a directory (or not a regular file), not an instance file", source=str(path))
        return paths
    if not target.exists():
        raise InputError("file not found", source=str(target))
    return [target]


def output_stem(path: Path) -> str:
    """The name outputs of an input file get: its own stem made safe, never anything read inside it."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("._-") or "instance"


def positive_number(text: str) -> float:
    """argparse type: a finite number above 0 (seconds, scales)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text}")
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def add_generated_set_args(p: argparse.ArgumentParser, problem: str, size: int, count: int, seed: int) -> None:
    """Arguments describing a generated instance set: problem, size, count, seed."""
    from ncorouting.registry import PROBLEMS

    p.add_argument("--problem", default=problem, help=f"problem to generate, one of: {', '.join(PROBLEMS)}")
    p.add_argument("--size", type=positive_int, default=size, help="cities (TSP) or clients (CVRP)")
    p.add_argument("--num-instances", type=positive_int, default=count, help="how many instances")
    p.add_argument("--seed", type=int, default=seed, help="random seed of the generator")


def add_fleet_args(p: argparse.ArgumentParser) -> None:
    """Generator options of the profiled VRP (pvrp_p, pvrp_zc): fleet size and preference generator."""
    p.add_argument("--vehicles", type=positive_int, default=None, help="PVRP: vehicles in the fleet (default: 3)")
    p.add_argument(
        "--preference",
        default=None,
        choices=["random", "angle", "cluster"],
        help="PVRP-P: preference generator (default: random)",
    )


def fleet_generator_params(args: argparse.Namespace, problem: str) -> dict:
    """The generator parameters `add_fleet_args` collected; refused for problems they do not apply to."""
    from ncorouting.instance import PROFILED_PROBLEMS

    if problem not in PROFILED_PROBLEMS:
        if args.vehicles is not None or args.preference is not None:
            raise InputError(f"--vehicles and --preference apply to {', '.join(PROFILED_PROBLEMS)}, not '{problem}'")
        return {}
    if args.preference is not None and problem != "pvrp_p":
        raise InputError(f"--preference applies to pvrp_p, not '{problem}'")
    params = {"num_agents": args.vehicles or 3}
    return params | ({"preference": args.preference} if args.preference else {})
