"""Batched datasets: generated instances as TensorDicts, saved as `.npz`, turned into `Instance`s."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from tensordict import TensorDict

from ncorouting.envs import make_env
from ncorouting.errors import InputError
from ncorouting.instance import PROFILED_PROBLEMS, Instance, distances_from_coords
from ncorouting.registry import get_problem

_PVRP_KEYS = ("locs", "depot", "demand", "capacity", "speed", "alpha")
REQUIRED_KEYS = {
    "tsp": ("locs",),
    "cvrp": ("locs", "depot", "demand", "capacity"),
    "cvrptw": ("locs", "depot", "demand", "capacity", "time_windows", "service_time"),
    "pvrp_p": (*_PVRP_KEYS, "preference"),
    "pvrp_zc": (*_PVRP_KEYS, "zone"),
}


def generate_dataset(problem: str, num_instances: int, num_loc: int, seed: int = 0, **generator_params) -> TensorDict:
    """`num_instances` uniform instances from the problem's generator, reproducible by `seed`
    (`generator_params`, e.g. PVRP's `num_agents` and `preference`, go to the generator)."""
    env_name = get_problem(problem).env_name
    if env_name is None:
        raise InputError(f"problem '{problem}' has no instance generator")
    generator = make_env(env_name, num_loc, **generator_params).generator
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return generator(batch_size=[num_instances])


def save_dataset(path: str | Path, problem: str, td: TensorDict) -> None:
    """Write a batch as `.npz` (one array per key, plus the problem name)."""
    arrays = {k: v.cpu().numpy() for k, v in td.items()}
    np.savez_compressed(path, problem=np.asarray(problem), **arrays)


def load_dataset(path: str | Path) -> tuple[str, TensorDict]:
    """Read a `.npz` batch written by `save_dataset`; checks keys, sizes and finiteness."""
    source = str(path)
    try:
        with np.load(path, allow_pickle=False) as blob:
            arrays = {k: blob[k] for k in blob.files}
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable .npz dataset ({exc})", source=source) from None
    if "problem" not in arrays:
        raise InputError("missing array 'problem'", source=source)
    problem = get_problem(str(arrays.pop("problem"))).name
    for key in REQUIRED_KEYS.get(problem, ()):
        if key not in arrays:
            raise InputError(f"missing array '{key}' for a {problem} dataset", source=source)
    for key, arr in arrays.items():
        if not np.isfinite(arr).all():
            raise InputError(f"array '{key}' holds NaN or infinite values", source=source)
    batch = arrays["locs"].shape[0]
    td = TensorDict({k: torch.as_tensor(v) for k, v in arrays.items()}, batch_size=[batch])
    return problem, td


def instances_from_batch(problem: str, td: TensorDict, name: str = "gen") -> list[Instance]:
    """One `Instance` per batch row: exact Euclidean distances (CVRP demands scaled back to integers),
    or for road problems (ATSP, ACVRP, ACVRPTW) the batch's own matrices."""
    from ncorouting.realworld.instances import REALWORLD_PROBLEMS

    if problem in REALWORLD_PROBLEMS:
        from ncorouting.realworld.instances import instances_from_batch as road_instances

        return road_instances(problem, td, name)
    if problem in PROFILED_PROBLEMS:
        from ncorouting.envs.pvrp.batch import instances_from_batch as profiled_instances

        return profiled_instances(problem, td, name)
    if problem == "cvrptw":
        from ncorouting.envs.cvrptw.batch import cvrptw_instances

        return cvrptw_instances(td, name)
    locs = td["locs"].double().cpu().numpy()
    out = []
    for b in range(locs.shape[0]):
        coords, demands, capacity = locs[b], None, None
        if problem == "cvrp":
            coords = np.vstack([td["depot"][b].double().cpu().numpy(), coords])
            capacity = float(td["capacity"][b].reshape(-1)[0])
            scaled = td["demand"][b].double().cpu().numpy() * capacity
            demands = np.concatenate(
                [[0.0], np.where(np.abs(scaled - np.rint(scaled)) < 1e-4, np.rint(scaled), scaled)]
            )
        out.append(
            Instance(
                problem=problem,
                distances=distances_from_coords(coords),
                coords=coords,
                demands=demands,
                capacity=capacity,
                name=f"{name}-{b}",
            )
        )
    return out
