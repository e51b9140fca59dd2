"""TSP instance generator: rl4co's (uniform locations in the unit square), re-exported as ours."""

from rl4co.envs.routing.tsp.generator import TSPGenerator

__all__ = ["TSPGenerator"]
