"""Policy files: our exported `.pt` and Lightning `.ckpt`, both carrying what they were trained for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.callbacks import Callback

from ncorouting.errors import CheckpointError
from ncorouting.models.zoo import build_policy, get_model

FORMAT = "ncorouting-policy/1"


def policy_metadata(problem: str, num_loc: int, model: str, policy_kwargs: dict, **extra: Any) -> dict:
    """What a checkpoint must carry to be loaded and checked against a problem."""
    return {
        "format": FORMAT,
        "problem": problem,
        "num_loc": int(num_loc),
        "model": model,
        "policy_kwargs": dict(policy_kwargs),
        **extra,
    }


class PolicyMetadataCallback(Callback):
    """Adds our metadata to every Lightning checkpoint, so `.ckpt` files load like `.pt` files."""

    def __init__(self, meta: dict):
        self.meta = meta

    def on_save_checkpoint(self, trainer, pl_module, checkpoint: dict) -> None:
        checkpoint["ncorouting"] = {**self.meta, "global_step": trainer.global_step, "epoch": trainer.current_epoch}


def save_policy(path: str | Path, policy: torch.nn.Module, meta: dict) -> None:
    """Write the policy weights and metadata as one small `.pt` file."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save({**meta, "state_dict": policy.state_dict()}, path)


def _read(path: Path) -> tuple[dict, dict]:
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint file not found")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # torch raises many types for a corrupt file
        raise CheckpointError(f"{path}: not a readable checkpoint ({type(exc).__name__}: {exc})") from None
    if not isinstance(blob, dict):
        raise CheckpointError(f"{path}: not an ncorouting checkpoint")
    if "ncorouting" in blob:  # Lightning checkpoint written during our training
        states = {k[len("policy.") :]: v for k, v in blob["state_dict"].items() if k.startswith("policy.")}
        return blob["ncorouting"], states
    if blob.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an ncorouting checkpoint (no '{FORMAT}' metadata)")
    return blob, blob["state_dict"]


def load_policy(
    path: str | Path,
    problem: str | None = None,
    num_loc: int | None = None,
    allow_other_size: bool = False,
) -> tuple[torch.nn.Module, dict]:
    """Load a policy and its metadata; refuse one trained for another problem (or size, unless allowed)."""
    path = Path(path)
    meta, states = _read(path)
    if problem is not None and meta["problem"] != problem:
        raise CheckpointError(f"{path}: checkpoint was trained for problem '{meta['problem']}', not '{problem}'")
    if num_loc is not None and not allow_other_size and meta["num_loc"] != num_loc:
        raise CheckpointError(
            f"{path}: checkpoint was trained on {meta['problem']}{meta['num_loc']}, "
            f"not size {num_loc} (pass allow_other_size=True to use it anyway)"
        )
    get_model(meta["model"])
    policy = build_policy(meta["model"], meta["problem"], meta["policy_kwargs"])
    try:
        policy.load_state_dict(states)
    except RuntimeError as exc:
        raise CheckpointError(f"{path}: weights do not fit the '{meta['model']}' policy ({exc})") from None
    policy.eval()
    return policy, meta
