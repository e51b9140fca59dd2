"""RRNCO and MatNet as solvers of real-world instances (ATSP, ACVRP, ACVRPTW): our neural solver with
the shipped or given policy, multi-start greedy decoding and (RRNCO) x8 augmentation of the coordinates
only; the matrices are never changed. Instances without coordinates (`.atsp` files) get positions from
classical MDS of the symmetrised matrix (`realworld.instances.pseudo_coords`)."""

from __future__ import annotations

from ncorouting.instance import Instance
from ncorouting.models.inference import NeuralSolver
from ncorouting.models.rrnco.policy import PROBLEMS


class MatrixPolicySolver(NeuralSolver):
    """A matrix-reading policy (RRNCO for ATSP/ACVRP/ACVRPTW, MatNet for ATSP) as a solver."""

    problems = PROBLEMS

    def __init__(self, model: str = "rrnco", batch_size: int = 32, **options):
        super().__init__(model=model, batch_size=batch_size, **options)
        if model == "matnet":
            self.problems = ("atsp",)

    def supports(self, instance: Instance) -> str | None:
        if instance.problem not in self.problems:
            handled = ", ".join(self.problems)
            return f"solver '{self.name}' does not handle problem '{instance.problem}' (it handles {handled})"
        if instance.fleet is not None or instance.allowed_vehicles or instance.route_prefixes:
            return f"solver '{self.name}' does not handle fleets, allowed vehicles or route prefixes"
        if (instance.time_windows is not None) != (instance.problem == "acvrptw"):
            return f"solver '{self.name}' takes time windows on acvrptw instances only"
        if self.name == "matnet":
            _, meta = self.policy_for("atsp", instance.num_nodes)
            width = int(meta["policy_kwargs"].get("embed_dim", 256))
            if instance.num_nodes > width:
                return f"MatNet's one-hot node embedding tells apart at most {width} nodes, got {instance.num_nodes}"
        return None
