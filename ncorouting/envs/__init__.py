"""Routing environments (rl4co-based) by name."""

from ncorouting.envs.cvrp.env import CVRPEnv
from ncorouting.envs.tsp.env import TSPEnv

ENVS = {"tsp": TSPEnv, "cvrp": CVRPEnv}

__all__ = ["ENVS", "CVRPEnv", "TSPEnv"]
