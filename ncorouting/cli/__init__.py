"""Command line: `ncorouting <command>` (also `python -m ncorouting`), one module per subcommand.

A new subcommand is a module here with `add_parser(subparsers)` that sets `func`, listed in COMMANDS.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib.metadata import PackageNotFoundError, version

from ncorouting.cli.common import HelpFormatter
from ncorouting.errors import NcoroutingError

#: Subcommand modules of this package, in the order `--help` lists them.
COMMANDS = ["solve", "evaluate", "train", "generate", "bench", "demo", "bq_data", "text2code", "explain", "realworld"]


def package_version() -> str:
    """The installed distribution's version (a source checkout without metadata says so)."""
    try:
        return version("ncorouting")
    except PackageNotFoundError:
        return "unknown (not installed)"


class _SubcommandParser(argparse.ArgumentParser):
    """Subcommand parsers show defaults in their help lines unless a module asks for another formatter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The `ncorouting` parser with every subcommand's arguments."""
    parser = argparse.ArgumentParser(prog="ncorouting", description="Neural and classical vehicle-routing solvers.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_SubcommandParser)
    for name in COMMANDS:
        importlib.import_module(f"ncorouting.cli.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; a deliberate error prints `error: ...` and returns 2."""
    args = build_parser().parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    try:
        return args.func(args)
    except NcoroutingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
