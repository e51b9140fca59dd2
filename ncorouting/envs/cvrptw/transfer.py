"""A CVRPTW policy started from a trained CVRP policy, to shorten CVRPTW training (train with
`init_from=` the file this writes).

The two policies share every layer but two: the client embedding reads (x, y, demand, window open,
window close, service time) instead of (x, y, demand), and the step context adds the current time to
(node, remaining capacity). The CVRP weights are copied and the new inputs' columns start at zero, so
the starting CVRPTW policy decodes exactly like the CVRP one until training teaches it the clock.

    python -m ncorouting.envs.cvrptw.transfer ncorouting/weights/pomo_cvrp20.pt runs/pomo_cvrptw20_init.pt
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from ncorouting.models.checkpoint import load_policy, policy_metadata, save_policy
from ncorouting.models.zoo import build_policy

#: Layers whose input grows from CVRP to CVRPTW; the leading columns keep their meaning.
GROWN_INPUTS = ("encoder.init_embedding.init_embed.weight", "decoder.context_embedding.project_context.weight")


def cvrptw_from_cvrp(cvrp_path: str | Path) -> tuple[torch.nn.Module, dict]:
    """The CVRPTW policy holding a CVRP policy's weights (new input columns zero) and its metadata."""
    source, meta = load_policy(cvrp_path, problem="cvrp")
    target = build_policy(meta["model"], "cvrptw", meta["policy_kwargs"])
    weights = target.state_dict()
    for name, tensor in source.state_dict().items():
        if name in GROWN_INPUTS:
            grown = torch.zeros_like(weights[name])
            grown[:, : tensor.size(1)] = tensor
            tensor = grown
        weights[name] = tensor
    target.load_state_dict(weights)
    origin = {"transferred_from": str(cvrp_path)}
    return target, policy_metadata("cvrptw", meta["num_loc"], meta["model"], meta["policy_kwargs"], **origin)


def main(argv: list[str] | None = None) -> None:
    """Write the transferred policy file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cvrp_policy")
    parser.add_argument("out")
    args = parser.parse_args(argv)
    policy, meta = cvrptw_from_cvrp(args.cvrp_policy)
    save_policy(args.out, policy, meta)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
