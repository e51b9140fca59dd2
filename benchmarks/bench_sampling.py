"""Categorical sampling speed, in one process: torch.multinomial (how rl4co samples) against the inverse-CDF
sampler ncorouting installs (`ncorouting/models/sampling.py`), per draw at the decoders' shapes and in a whole
sampled decode of the shipped POMO CVRP100 policy (10 instances, 8 augmentations x 100 start nodes).

    python benchmarks/bench_sampling.py [--threads 1] [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform
import time

import torch
from rl4co.data.transforms import StateAugmentation
from rl4co.utils.decoding import DecodingStrategy

from ncorouting.envs import make_env
from ncorouting.io.datasets import generate_dataset
from ncorouting.models.inference import NeuralSolver
from ncorouting.models.sampling import sample_categorical
from ncorouting.report import format_table

#: (rows, categories, what decodes at that shape)
SHAPES = [
    (2020, 101, "EAS at CVRP100: 10 instances x 2 copies x 101 rollouts"),
    (8000, 101, "sampling at CVRP100: 10 instances x 8 copies x 100 starts"),
    (3200, 50, "POMO training at TSP50: 64 instances x 50 starts"),
    (1536, 23, "CAMP training at n20 m3: 512 instances x 3 vehicles"),
]


def multinomial(logprobs: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Sampling as rl4co does it (without its re-draw loop, which never fires on valid rows)."""
    return torch.multinomial(logprobs.exp(), 1).squeeze(1)


def best_time(fn, repeats: int) -> float:
    """Fastest of `repeats` calls after one warm-up, in seconds."""
    fn()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def row(case: str, what: str, slow: float, fast: float) -> dict:
    """A table row from the two samplers' times in seconds."""
    return {
        "case": case,
        "what": what,
        "multinomial_ms": 1000 * slow,
        "inverse_cdf_ms": 1000 * fast,
        "speedup": slow / fast,
    }


def draw_rows(repeats: int) -> list[dict]:
    """Milliseconds per draw of one index per row, both samplers, at each shape."""
    rows = []
    for count, categories, what in SHAPES:
        probs = torch.softmax(torch.randn(count, categories), -1)
        slow = best_time(lambda p=probs: torch.multinomial(p, 1), repeats * 10)
        fast = best_time(lambda p=probs: sample_categorical(p), repeats * 10)
        rows.append(row(f"draw {count} x {categories}", what, slow, fast))
    return rows


def decode_row(repeats: int) -> dict:
    """Time of one sampled x8 multi-start decode of 10 CVRP100 instances by the shipped POMO policy."""
    policy, _ = NeuralSolver("pomo").policy_for("cvrp", 100)
    env = make_env("cvrp", 100)
    td = StateAugmentation(num_augment=8, augment_fn="dihedral8")(env.reset(generate_dataset("cvrp", 10, 100, seed=1)))

    @torch.inference_mode()
    def rollout() -> None:
        policy(td.clone(), env, phase="test", decode_type="multistart_sampling", num_starts=100, temperature=0.3)

    installed = DecodingStrategy.__dict__["sampling"]  # the staticmethod itself, to put back
    try:
        DecodingStrategy.sampling = staticmethod(multinomial)
        slow = best_time(rollout, repeats)
    finally:
        DecodingStrategy.sampling = installed
    fast = best_time(rollout, repeats)
    return row("decode CVRP100", "sampled decode, shipped POMO, 10 instances x 8 copies x 100 starts", slow, fast)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rows = draw_rows(args.repeats)
    rows.append(decode_row(args.repeats))
    threads = torch.get_num_threads()
    print(f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {threads} torch thread(s); fastest of repeats")
    print(format_table(rows, ["case", "multinomial_ms", "inverse_cdf_ms", "speedup", "what"]))


if __name__ == "__main__":
    main()
