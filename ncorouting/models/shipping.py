"""Shipping a trained policy of any model: its weights stored as float16 (half the file;
`load_state_dict` casts them back into the float32 model), metadata unchanged.

    python -m ncorouting.models.shipping runs/atsp50_rrnco/policy.pt ncorouting/weights/rrnco_atsp50.pt
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from ncorouting.models.checkpoint import load_policy, save_policy


def ship_policy(source: str | Path, target: str | Path) -> Path:
    """Write `source`'s policy to `target` with float16 weights; returns the target path."""
    policy, meta = load_policy(source)
    half = {k: v.half() if v.is_floating_point() else v for k, v in policy.state_dict().items()}
    policy.load_state_dict(half)  # round the model itself, so what is saved is what loads
    save_policy(target, policy.half(), meta)
    return Path(target)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    print(f"wrote {ship_policy(sys.argv[1], sys.argv[2])}")
