"""CVRP instance generator: rl4co's, i.e. Kool et al.'s conventions (uniform depot and clients,
integer demands 1..9, capacity 30/40/50 for 20/50/100 clients, demands stored divided by capacity).
"""

from rl4co.envs.routing.cvrp.generator import CAPACITIES, CVRPGenerator

__all__ = ["CAPACITIES", "CVRPGenerator"]
