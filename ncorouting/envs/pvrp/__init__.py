"""Profiled VRP (PVRP-P preferences, PVRP-ZC zones): generator, parallel multi-vehicle environment, checker.

The checker (`ncorouting.envs.pvrp.checker`) imports without torch; the environment modules need it.
"""
