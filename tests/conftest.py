"""Shared fixtures: paths to ../shared benchmark data (skipped with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
SHARED_BENCH = REPO.parent / "shared" / "data" / "benchmarks"

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def one_torch_thread() -> None:
    """One torch thread in every test: some third-party imports (made lazily, inside tests) reset torch to
    all cores, which on the 2-core CI machine makes small-batch tests several times slower."""
    torch.set_num_threads(1)


@pytest.fixture
def bench_dir() -> Path:
    """../shared/data/benchmarks, or skip: a user's fresh clone does not have it."""
    if not SHARED_BENCH.is_dir():
        pytest.skip(f"benchmark instances not found at {SHARED_BENCH} (only present beside the team's checkout)")
    return SHARED_BENCH
