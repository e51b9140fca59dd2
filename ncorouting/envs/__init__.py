"""Routing environments (rl4co-based) by name, imported lazily: the checkers in this package must
stay importable without torch, so solver worker processes start fast."""

from __future__ import annotations

import importlib

from ncorouting.errors import UnknownNameError

_ENV_CLASSES = {
    "tsp": "ncorouting.envs.tsp.env:TSPEnv",
    "cvrp": "ncorouting.envs.cvrp.env:CVRPEnv",
    "cvrptw": "ncorouting.envs.cvrptw.env:CVRPTWEnv",
    "pvrp_p": "ncorouting.envs.pvrp.env:PVRPPEnv",
    "pvrp_zc": "ncorouting.envs.pvrp.env:PVRPZCEnv",
    "atsp": "ncorouting.envs.atsp.env:ATSPEnv",
    "acvrp": "ncorouting.envs.acvrp.env:ACVRPEnv",
    "acvrptw": "ncorouting.envs.acvrptw.env:ACVRPTWEnv",
}


def get_env_class(name: str) -> type:
    """The environment class registered under `name`."""
    try:
        module, cls = _ENV_CLASSES[name].split(":")
    except KeyError:
        raise UnknownNameError("environment", name, list(_ENV_CLASSES)) from None
    return getattr(importlib.import_module(module), cls)


def make_env(name: str, num_loc: int, **generator_params):
    """An environment of `name` whose generator makes instances with `num_loc` nodes (clients for CVRP)."""
    return get_env_class(name)(generator_params={"num_loc": num_loc, **generator_params})
