"""Environment throughput: steps per second of our TSP/CVRP environments vs rl4co's own, on the same
batch and the same random feasible actions, in one process (the ratio is what to read).

    python benchmarks/bench_env_throughput.py [--batch 1024] [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import torch
from rl4co.envs import CVRPEnv as RL4COCVRPEnv
from rl4co.envs import TSPEnv as RL4COTSPEnv

from ncorouting.envs.cvrp.env import CVRPEnv
from ncorouting.envs.tsp.env import TSPEnv
from ncorouting.io.datasets import generate_dataset
from ncorouting.report import format_table


def rollout_steps(env, td, seed: int) -> tuple[int, float]:
    """Random feasible rollout; returns (env steps taken, seconds)."""
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    td = env.reset(td.clone())
    steps, done = 0, False
    while not done:  # rl4co's TSP reset sets no "done" key, so read it after each step
        action = torch.multinomial(td["action_mask"].float(), 1, generator=gen).squeeze(-1)
        td.set("action", action)
        td = env.step(td)["next"]
        steps += 1
        done = bool(td["done"].all())
    return steps, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for problem, ours_cls, theirs_cls in [("tsp", TSPEnv, RL4COTSPEnv), ("cvrp", CVRPEnv, RL4COCVRPEnv)]:
        for size in (20, 50, 100):
            td = generate_dataset(problem, args.batch, size, seed=0)
            rates = {}
            for label, cls in [("ncorouting", ours_cls), ("rl4co", theirs_cls)]:
                env = cls(generator_params={"num_loc": size})
                rollout_steps(env, td, 0)  # warm-up
                total_steps, total_s = 0, 0.0
                for r in range(args.repeats):
                    steps, secs = rollout_steps(env, td, r)
                    total_steps, total_s = total_steps + steps, total_s + secs
                rates[label] = total_steps * args.batch / total_s
            rows.append(
                {
                    "problem": f"{problem}{size}",
                    "batch": args.batch,
                    "ours_steps_per_s": rates["ncorouting"],
                    "rl4co_steps_per_s": rates["rl4co"],
                    "ratio_ours_over_rl4co": rates["ncorouting"] / rates["rl4co"],
                }
            )
            print(format_table(rows[-1:], list(rows[-1])), flush=True)
    print("\nsteps per second = single-instance env steps (batch rows x batched steps) per second")
    print(format_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
