"""Counterfactual re-solvers: keep the forced prefix, re-solve the rest.

- `OrToolsResolver`: OR-Tools with the prefix locked on its route (the instance's `route_prefixes`),
  guided local search under a time limit (5 s by default, as in RouteExplainer).
- `NeuralResolver`: a trained policy continues from the mid-episode state reached by replaying the
  prefix in its environment; many questions are decoded as one batch, best of the dihedral augmentations.

Either way the counterfactual is a `Solution` of the forced instance, so the problem's checker confirms
that it starts with the forced prefix and meets every constraint.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from rl4co.data.transforms import StateAugmentation
from rl4co.utils.ops import unbatchify
from tqdm import tqdm

from ncorouting.envs import get_env_class
from ncorouting.envs.cvrptw.batch import fleet_vehicles
from ncorouting.errors import InputError
from ncorouting.explain.question import Question, forced_prefix, route_vehicle
from ncorouting.instance import Instance
from ncorouting.models.rrnco.policy import PROBLEMS as RRNCO_PROBLEMS
from ncorouting.registry import get_problem
from ncorouting.solution import Solution
from ncorouting.solvers import Solver, get_solver


@dataclass
class Resolved:
    """A counterfactual solution, or why none was found; with the seconds spent on it."""

    solution: Solution | None
    reason: str | None
    seconds: float


def forced_instance(solution: Solution, question: Question) -> Instance:
    """The instance with the forced prefix required (on the questioned route's vehicle, with a fleet)."""
    inst = solution.instance
    prefix = forced_prefix(solution, question)
    allowed = inst.allowed_vehicles
    vehicle = route_vehicle(solution, question.route)
    if vehicle is not None:
        allowed = {**(allowed or {}), **{c: [vehicle] for c in prefix}}
    return dataclasses.replace(inst, route_prefixes=[prefix], allowed_vehicles=allowed)


def forced_route_first(
    routes: list[list[int]], vehicles: list[int] | None, prefix: list[int], index: int
) -> tuple[list[list[int]], list[int] | None]:
    """Routes reordered so that the one starting with `prefix` sits at `index` (as in the actual solution)."""
    k = next((i for i, r in enumerate(routes) if r[: len(prefix)] == prefix), None)
    if k is None:
        return routes, vehicles
    order = [i for i in range(len(routes)) if i != k]
    order.insert(min(index, len(order)), k)
    return [routes[i] for i in order], (None if vehicles is None else [vehicles[i] for i in order])


class OrToolsResolver:
    """OR-Tools with the prefix locked; exact constraints, seconds per question."""

    name = "ortools"

    def __init__(self, time_limit: float = 5.0, solution_limit: int | None = None):
        from ncorouting.baselines.ortools import OrToolsSolver

        self.time_limit = time_limit
        self.solver = OrToolsSolver(default_time_limit=time_limit, solution_limit=solution_limit)

    def resolve_many(self, cases: Sequence[tuple[Solution, Question]], progress: bool = False) -> list[Resolved]:
        """One OR-Tools run per question, in order."""
        out = []
        for solution, question in tqdm(cases, desc="ortools counterfactuals", disable=not progress):
            inst = forced_instance(solution, question)
            start = time.perf_counter()
            try:
                found = self.solver.solve(inst, self.time_limit)
            except RuntimeError:
                out.append(Resolved(None, f"OR-Tools found no feasible completion in {self.time_limit:g} s", 0.0))
                continue
            routes, vehicles = forced_route_first(found.routes, found.vehicles, inst.route_prefixes[0], question.route)
            cf = Solution.from_routes(inst, routes, self.name, time.perf_counter() - start, vehicles)
            out.append(Resolved(cf, None if cf.feasible else cf.reason, cf.runtime))
        return out


def action_prefix(solution: Solution, question: Question) -> list[int]:
    """The environment actions that replay the forced prefix (TSP tours start at city 0)."""
    return ([0] if solution.instance.problem == "tsp" else []) + forced_prefix(solution, question)


def replay_ragged(env, td, prefixes: list[list[int]]):
    """Replay prefixes of different lengths (rows grouped by length); None rows where the env refuses."""
    states: list = [None] * len(prefixes)
    by_length: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(prefixes):
        by_length[len(p)].append(i)
    for rows in by_length.values():
        index = torch.tensor(rows)
        try:
            replayed = env.replay(td[index], torch.tensor([prefixes[i] for i in rows]))
            for j, i in enumerate(rows):
                states[i] = replayed[j : j + 1]
        except ValueError:  # float32 clock or load disagrees with the checker: find the rows one by one
            for i in rows:
                try:
                    states[i] = env.replay(td[i : i + 1], torch.tensor([prefixes[i]]))
                except ValueError:
                    pass
    return states


class NeuralResolver:
    """A trained policy continuing from the replayed mid-episode state; milliseconds per question.

    `model` names the policy (any neural solver of the registry); by default RRNCO continues the road-matrix
    problems it handles and POMO the others, so one resolver answers questions on coordinates and on roads."""

    name = "neural"

    def __init__(
        self,
        model: str | None = None,
        checkpoint: str | None = None,
        num_augment: int | None = None,
        device: str = "cpu",
    ):
        self.model, self.checkpoint, self.num_augment, self.device = model, checkpoint, num_augment, device
        self._solvers: dict[str, Solver] = {}

    def solver_for(self, problem: str) -> Solver:
        """The neural solver (built once) whose policy continues `problem`'s routes."""
        model = self.model or ("rrnco" if problem in RRNCO_PROBLEMS else "pomo")
        if model not in self._solvers:
            self._solvers[model] = get_solver(
                model, checkpoint=self.checkpoint, num_augment=self.num_augment, device=self.device
            )
        return self._solvers[model]

    def supports(self, instance: Instance) -> str | None:
        """Why the policy cannot continue on `instance` (None when it can)."""
        return self.solver_for(instance.problem).supports(instance)

    def resolve_many(self, cases: Sequence[tuple[Solution, Question]], progress: bool = False) -> list[Resolved]:
        """Decode every question of the same problem and size as one batch."""
        from ncorouting.models.inference import DEPOT_PROBLEMS

        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, (solution, _) in enumerate(cases):
            inst = solution.instance
            groups[(inst.problem, inst.num_clients if inst.problem in DEPOT_PROBLEMS else inst.num_nodes)].append(i)
        out: list[Resolved | None] = [None] * len(cases)
        for (problem, num_loc), rows in tqdm(groups.items(), desc="neural counterfactuals", disable=not progress):
            for i, resolved in zip(rows, self._resolve_group(problem, num_loc, [cases[i] for i in rows]), strict=True):
                out[i] = resolved
        return out

    @torch.inference_mode()
    def _resolve_group(self, problem: str, num_loc: int, cases: list[tuple[Solution, Question]]) -> list[Resolved]:
        from ncorouting.models.inference import actions_to_routes, instances_to_batch

        for solution, _ in cases:
            reason = self.supports(solution.instance)
            if reason is not None:
                raise InputError(reason, source=solution.instance.name)
        solver = self.solver_for(problem)
        policy, _ = solver.policy_for(problem, num_loc)
        num_augment = solver.num_augment
        start = time.perf_counter()
        env = get_env_class(get_problem(problem).env_name)(generator_params={"num_loc": num_loc}, check_solution=False)
        td = env.reset(instances_to_batch([s.instance for s, _ in cases]).to(solver.device))
        prefixes = [action_prefix(s, q) for s, q in cases]
        states = replay_ragged(env, td, prefixes)
        live = [i for i, s in enumerate(states) if s is not None]
        best: dict[int, Solution] = {}
        if live:
            batch = torch.cat([states[i] for i in live], 0)
            if num_augment > 1:
                batch = StateAugmentation(num_augment=num_augment, augment_fn="dihedral8")(batch)
            actions = policy(batch, env, phase="test", decode_type="greedy", return_actions=True)["actions"]
            actions = unbatchify(actions, max(num_augment, 1)).cpu()  # [questions, augmentations, steps]
            for j, i in enumerate(live):
                solution, question = cases[i]
                inst = forced_instance(solution, question)
                for rollout in actions[j]:
                    routes = actions_to_routes(problem, prefixes[i] + rollout.tolist())
                    routes, _ = forced_route_first(routes, None, inst.route_prefixes[0], question.route)
                    vehicles = fleet_vehicles(inst, routes) if problem == "cvrptw" else None
                    cf = Solution.from_routes(inst, routes, f"{solver.name} continuation", 0.0, vehicles)
                    if i not in best or _better(cf, best[i]):
                        best[i] = cf
        share = (time.perf_counter() - start) / len(cases)
        out = []
        for i in range(len(cases)):
            if i not in best:
                out.append(Resolved(None, "the policy's environment refuses the forced prefix", share))
                continue
            best[i].runtime = share
            out.append(Resolved(best[i], None if best[i].feasible else best[i].reason, share))
        return out


def _better(a: Solution, b: Solution) -> bool:
    """Feasible beats infeasible; then lower cost."""
    return (a.feasible, -a.cost if a.feasible else 0.0) > (b.feasible, -b.cost if b.feasible else 0.0)
