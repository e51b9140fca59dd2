"""Training data for the edge classifier, from a config (configs/explain/ec_<problem><size>.yaml):
generated instances solved by the configured solvers, plus one counterfactual solution per solved
instance for a random feasible question (as in RouteExplainer's CF datasets), every edge labelled by
the rule annotator. Test instances are disjoint from training ones. The dataset keeps routes and
labels, not features: labelling is the costly part, and `ec_train` computes the features, so a change
to them needs no relabelling.

    python -m ncorouting.explain.ec_data ec_cvrp20 [key=value ...]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from ncorouting import resources
from ncorouting.explain.annotate import RuleAnnotator, intention_classes
from ncorouting.explain.ec_features import RouteSample, node_features, route_sample
from ncorouting.explain.question import Question, actual_next, infeasibility
from ncorouting.instance import Instance
from ncorouting.solution import Solution
from ncorouting.solvers import get_solver


def load_config(name: str, overrides: list[str] | None = None) -> DictConfig:
    """Compose `configs/explain/<name>.yaml` with Hydra overrides."""
    with initialize_config_dir(config_dir=str(resources.config_dir() / "explain"), version_base="1.3"):
        return compose(config_name=name, overrides=overrides or [])


def generate_instances(
    problem: str, count: int, num_loc: int, seed: int, cities: Sequence[str | Path] | None = None
) -> list[Instance]:
    """`count` generated instances of `problem` (cvrp, cvrptw, or acvrptw sampled from `cities`, city files
    or OSM extracts) with `num_loc` clients."""
    if problem == "acvrptw":
        from ncorouting.realworld.instances import sample_instances

        return sample_instances(cities, problem, num_loc, count, seed, name=f"{problem}{num_loc}-s{seed}")
    if problem == "cvrptw":
        from ncorouting.envs.cvrptw.batch import cvrptw_instances
        from ncorouting.envs.cvrptw.generator import CVRPTWGenerator

        with torch.random.fork_rng():
            torch.manual_seed(seed)
            return cvrptw_instances(CVRPTWGenerator(num_loc=num_loc)(count), name=f"{problem}{num_loc}-s{seed}")
    from ncorouting.io.datasets import generate_dataset, instances_from_batch

    batch = generate_dataset(problem, count, num_loc, seed)
    return instances_from_batch(problem, batch, name=f"{problem}{num_loc}-s{seed}")


def random_question(solution: Solution, rng: np.random.Generator) -> Question | None:
    """A random route and inner step with a random feasible alternative other than the actual next node."""
    for _ in range(20):
        r = int(rng.integers(len(solution.routes)))
        route = solution.routes[r]
        if len(route) < 2:
            continue
        step = int(rng.integers(1, len(route)))
        options = [int(c) for c in rng.permutation(np.arange(1, solution.instance.num_nodes))]
        for c in options:
            q = Question(r, step, c)
            if c != actual_next(solution, q) and infeasibility(solution, q) is None:
                return q
    return None


def solve_all(cfg: DictConfig, instances: list[Instance]) -> list[Solution]:
    """Actual solutions: the instances dealt round-robin to the configured solvers."""
    solvers = list(cfg.dataset.solvers)
    out: list[Solution | None] = [None] * len(instances)
    for k, spec in enumerate(solvers):
        idx = list(range(k, len(instances), len(solvers)))
        spec = OmegaConf.to_container(spec, resolve=True)
        solver = get_solver(spec["name"], **spec.get("options", {}))
        sols = solver.solve_many([instances[i] for i in idx], time_limit=spec.get("time_limit"), progress=True)
        for i, s in zip(idx, sols, strict=True):
            out[i] = s
    return [s for s in out if s is not None and s.feasible]


def counterfactuals(cfg: DictConfig, solutions: list[Solution]) -> list[Solution]:
    """One counterfactual per solution, for a random feasible question, from the configured resolver."""
    from ncorouting.explain.api import make_resolver

    rng = np.random.default_rng(cfg.dataset.seed)
    cases = [(s, q) for s in solutions if (q := random_question(s, rng)) is not None]
    resolver = make_resolver(cfg.dataset.resolver.name, **OmegaConf.to_container(cfg.dataset.resolver.options))
    found = resolver.resolve_many(cases, progress=True)
    return [r.solution for r in found if r.solution is not None and r.solution.feasible]


def labelled(
    solutions: list[Solution], classes: tuple[str, ...], annotator: RuleAnnotator, desc: str
) -> tuple[list[Instance], list[dict]]:
    """The solutions' instances, and every route as a record: instance index, route, vehicle, labels."""
    instances, records = [], []
    for solution in tqdm(solutions, desc=desc):
        instances.append(solution.instance)
        vehicles = solution.vehicles or [None] * len(solution.routes)
        for route, vehicle, labels in zip(solution.routes, vehicles, annotator.annotate(solution), strict=True):
            records.append(
                {
                    "instance": len(instances) - 1,
                    "route": [int(c) for c in route],
                    "vehicle": vehicle,
                    "labels": [classes.index(x) for x in labels],
                }
            )
    return instances, records


def samples(instances: Sequence[Instance], records: Sequence[dict], desc: str = "features") -> list[RouteSample]:
    """Classifier inputs with their labels for the dataset's route records."""
    nodes: dict[int, torch.Tensor] = {}
    out = []
    for r in tqdm(records, desc=desc, mininterval=5):
        k = r["instance"]
        if k not in nodes:
            nodes[k] = node_features(instances[k])
        sample = route_sample(instances[k], r["route"], r["vehicle"], nodes[k])
        sample.labels = torch.as_tensor(r["labels"], dtype=torch.int64)
        out.append(sample)
    return out


def build_dataset(cfg: DictConfig) -> dict:
    """Train and test route records with their instances, labelled, with the config that made them."""
    data = cfg.dataset
    classes = intention_classes(cfg.problem)
    instances = generate_instances(cfg.problem, data.num_instances + data.test_instances, data.num_loc, data.seed)
    split = {"train": instances[: data.num_instances], "test": instances[data.num_instances :]}
    annotator = RuleAnnotator()
    out = {
        "problem": cfg.problem,
        "classes": classes,
        "config": OmegaConf.to_container(cfg, resolve=True),
        "annotator": annotator.settings,
    }
    for part, insts in split.items():
        actual = solve_all(cfg, insts)
        solutions = actual + counterfactuals(cfg, actual)
        out[f"{part}_instances"], out[part] = labelled(solutions, classes, annotator, f"labelling {part}")
        out[f"{part}_solutions"] = len(solutions)
    return out


def main(argv: list[str] | None = None) -> None:
    """Build and save the dataset named by a config."""
    argv = sys.argv[1:] if argv is None else argv
    cfg = load_config(argv[0], argv[1:])
    if cfg.threads:
        torch.set_num_threads(int(cfg.threads))
    dataset = build_dataset(cfg)
    Path(cfg.data).parent.mkdir(parents=True, exist_ok=True)
    torch.save(dataset, cfg.data)
    print(f"wrote {cfg.data}: {len(dataset['train'])} train and {len(dataset['test'])} test routes")


if __name__ == "__main__":
    main()
