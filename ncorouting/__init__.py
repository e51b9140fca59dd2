"""ncorouting: neural and classical vehicle-routing solvers, judged by one checker per problem.

>>> import ncorouting as nr
>>> inst = nr.read_instance("data/demo/cvrp20_demo.vrp")
>>> sol = nr.get_solver("pomo").solve(inst)
>>> sol.cost, sol.feasible
"""

from ncorouting.errors import CheckpointError, InputError, NcoroutingError, UnknownNameError
from ncorouting.instance import Instance, distances_from_coords
from ncorouting.io import read_instance, write_solution
from ncorouting.registry import PROBLEMS, get_problem
from ncorouting.solution import Solution
from ncorouting.solvers import SOLVERS, Solver, get_solver

__all__ = [
    "PROBLEMS",
    "SOLVERS",
    "CheckpointError",
    "InputError",
    "Instance",
    "NcoroutingError",
    "Solution",
    "Solver",
    "UnknownNameError",
    "distances_from_coords",
    "get_problem",
    "get_solver",
    "read_instance",
    "write_solution",
]
