"""DeepACO / GFACS: tours agree with the checker, the search honours its deadline and ant count,
local search only improves, training from the Hydra configs exports a policy the solver loads."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch

from ncorouting.bench import parse_solver_spec
from ncorouting.cli import main
from ncorouting.envs import make_env
from ncorouting.errors import InputError
from ncorouting.graphs import CostSource, knn_graph
from ncorouting.io import read_instance
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.models.aco.cvrp_search import CVRPLocalSearch
from ncorouting.models.aco.solver import AcoSolver
from ncorouting.models.aco.two_opt import two_opt
from ncorouting.models.checkpoint import load_policy, policy_metadata, save_policy
from ncorouting.models.inference import WEIGHTS_DIR, actions_to_routes
from ncorouting.solution import Solution
from ncorouting.solvers import get_solver
from ncorouting.training.train import load_config, train

DEMO_TSP = Path(__file__).resolve().parents[1] / "data" / "demo" / "tsp20_demo.tsp"
TINY_POLICY = {"k": 8, "embed_dim": 8, "num_layers": 2, "heatmap_layers": 2}


@pytest.fixture(scope="module")
def tiny_policies(tmp_path_factory) -> dict[str, str]:
    """Untrained small DeepACO policies for TSP and CVRP (the search and checker do not care)."""
    from ncorouting.models.zoo import build_policy

    folder = tmp_path_factory.mktemp("aco")
    paths = {}
    for problem in ("tsp", "cvrp"):
        torch.manual_seed(0)
        path = folder / f"deepaco_{problem}.pt"
        policy = build_policy("deepaco", problem, TINY_POLICY)
        save_policy(path, policy, policy_metadata(problem, 20, "deepaco", TINY_POLICY))
        paths[problem] = str(path)
    return paths


def rounded_tsp(n: int = 30, seed: int = 1):
    """A generated TSP whose costs are TSPLIB-rounded (EUC_2D on a 1000 x 1000 grid), not Euclidean."""
    from ncorouting.instance import Instance, distances_from_coords

    xy = np.random.default_rng(seed).random((n, 2)) * 1000
    return Instance("tsp", distances_from_coords(xy, "EUC_2D"), coords=xy, edge_weight_type="EUC_2D")


@pytest.mark.parametrize("problem", ["tsp", "cvrp"])
def test_search_costs_agree_with_the_checker(tiny_policies, problem):
    inst = rounded_tsp() if problem == "tsp" else instances_from_batch("cvrp", generate_dataset("cvrp", 1, 20))[0]
    solver = AcoSolver(checkpoint=tiny_policies[problem], ants=8, max_iterations=3)
    policy, _, _ = solver.policy_for(problem, solver._num_loc(inst))
    env = make_env(problem, solver._num_loc(inst))
    td = env.reset(solver._batch(inst))
    costs = CostSource.from_instances([inst])
    heatmap = policy.encoder.encode(costs, td.get("demand", None), knn_graph(costs, 8, depot=problem == "cvrp"))[0]
    out = policy.search(td, env, heatmap, n_ants=8, n_iterations=3)
    sol = Solution.from_routes(inst, actions_to_routes(problem, out["actions"][0].tolist()), "deepaco", 0.0)
    assert sol.feasible, sol.reason
    assert sol.cost == pytest.approx(-float(out["reward"][0]), rel=1e-6)
    solved = solver.solve(inst, time_limit=30)  # the solver's own path: checked, with a note
    assert solved.feasible and "3 iterations of 8 ants" in solved.notes[-1]


def test_matrix_only_instance_is_solved(tiny_policies):
    rng = np.random.default_rng(3)
    xy = rng.random((25, 2))
    matrix = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 100)
    from ncorouting.instance import Instance

    inst = Instance("tsp", matrix, name="matrix-only")  # no coordinates at all
    sol = AcoSolver(checkpoint=tiny_policies["tsp"], max_iterations=2).solve(inst)
    tour = np.r_[0, sol.routes[0], 0]
    assert sol.feasible and sol.cost == pytest.approx(float(matrix[tour[:-1], tour[1:]].sum()))


def test_search_stops_at_the_deadline(tiny_policies):
    inst = rounded_tsp()
    solver = AcoSolver(checkpoint=tiny_policies["tsp"], ants=4)
    past = solver.solve(inst, time_limit=1e-9)  # a deadline already passed: exactly one iteration
    assert past.feasible and "1 iterations of 4 ants" in past.notes[-1]
    capped = AcoSolver(checkpoint=tiny_policies["tsp"], ants=4, max_iterations=5).solve(inst, time_limit=60)
    assert "5 iterations of 4 ants" in capped.notes[-1]


def test_too_many_ants_or_bad_k_is_a_clear_error(tiny_policies, capsys, tmp_path):
    inst = rounded_tsp()
    with pytest.raises(InputError, match=r"ants on 30 nodes .* use at most \d+ ants"):
        AcoSolver(checkpoint=tiny_policies["tsp"], ants=10**9).solve(inst)
    with pytest.raises(InputError, match="at most 1 GiB|use at most"):
        AcoSolver(checkpoint=tiny_policies["tsp"], ants=10**6, memory_limit_gb=1).solve(inst)
    path = tmp_path / "x.tsp"
    path.write_text("NAME: x\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n")
    path.write_text(path.read_text() + "1 0 0\n2 0 10\n3 10 10\n4 10 0\nEOF\n")
    args = ["solve", str(path), "--solver", "deepaco", "--checkpoint", tiny_policies["tsp"], "--ants", "1000000000"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    assert "error:" in capsys.readouterr().err and not (tmp_path / "out").exists()
    assert main(["train", "experiment=tsp100_deepaco", "model.policy_kwargs.k=1", f"output_dir={tmp_path}"]) == 2
    assert "k >= 2" in capsys.readouterr().err


def test_two_opt_improves_tours_on_coordinates_and_matrices():
    rng = np.random.default_rng(0)
    xy = rng.random((2, 60, 2))
    matrices = np.sqrt(((xy[:, :, None] - xy[:, None]) ** 2).sum(-1))
    graph = knn_graph(CostSource(matrices=torch.from_numpy(matrices)), k=10)
    neighbours = graph.targets.view(2, 60, 10).numpy()
    tours = np.stack([rng.permutation(60) for _ in range(4)])
    instance = np.array([0, 1, 0, 1])
    by_coords = two_opt(tours, instance, neighbours, coords=xy)
    by_matrix = two_opt(tours, instance, neighbours, matrices=matrices)
    np.testing.assert_array_equal(by_coords, by_matrix)
    length = lambda t, b: matrices[b, t, np.roll(t, -1)].sum()  # noqa: E731
    for tour, new, b in zip(tours, by_coords, instance, strict=True):
        assert sorted(new) == list(range(60)) and length(new, b) < 0.5 * length(tour, b)


def test_cvrp_local_search_keeps_routes_feasible_and_no_longer():
    inst = instances_from_batch("cvrp", generate_dataset("cvrp", 1, 30, seed=2))[0]
    clients = list(np.random.default_rng(0).permutation(np.arange(1, 31)))
    routes, load, current = [], 0.0, []
    for c in clients:  # a random feasible start
        if load + inst.demands[c] > inst.capacity:
            routes, current, load = [*routes, current], [], 0.0
        current, load = [*current, int(c)], load + inst.demands[c]
    routes.append(current)
    search = CVRPLocalSearch(inst.distances, inst.demands / inst.capacity)
    before = Solution.from_routes(inst, routes, "start", 0.0)
    after = Solution.from_routes(inst, search.improve(routes), "ls", 0.0)
    assert before.feasible and after.feasible, after.reason
    assert after.cost < before.cost


def test_bench_takes_aco_specs_with_checkpoints():
    spec = parse_solver_spec("deepaco:10+ants=40+local_search=off@runs/x/policy.pt")
    assert spec.name == "deepaco" and spec.time_limit == 10 and spec.checkpoint == "runs/x/policy.pt"
    assert spec.solver_options() == {"ants": 40, "local_search": "off", "checkpoint": "runs/x/policy.pt"}
    assert get_solver("gfacs", ants=5).name == "gfacs"


@pytest.mark.slow
@pytest.mark.parametrize("model", ["deepaco", "gfacs"])
def test_training_from_config_exports_a_policy_the_solver_loads(tmp_path, model, tiny_policies):
    overrides = [
        f"experiment=tsp100_{model}",
        "env.generator.num_loc=12",
        "data.batch_size=4",
        "data.train_data_size=8",
        "data.val_data_size=4",
        "data.val_batch_size=4",
        "trainer.max_epochs=2",
        *[f"model.policy_kwargs.{key}={value}" for key, value in TINY_POLICY.items()],
        *(["model.kwargs.alpha_flat_epochs=0", "model.kwargs.beta_flat_epochs=0"] if model == "gfacs" else []),
        f"output_dir={tmp_path}",
        "progress_refresh=1",
    ]
    path = train(load_config(overrides))
    policy, meta = load_policy(path, problem="tsp", num_loc=12)
    assert meta["model"] == model and meta["global_step"] == 4
    start = time.perf_counter()
    sol = get_solver(model, checkpoint=str(path), max_iterations=2).solve(rounded_tsp(12))
    assert sol.feasible and time.perf_counter() - start < 60


@pytest.mark.slow
@pytest.mark.parametrize("model", ["deepaco", "gfacs"])
def test_shipped_aco_policies_solve_the_demo_without_flags(tmp_path, capsys, model):
    if not (WEIGHTS_DIR / f"{model}_tsp100.pt").is_file():
        pytest.skip(f"no shipped {model}_tsp100.pt")
    args = ["solve", str(DEMO_TSP), "--solver", model, "--time-limit", "1", "--no-plot", "--out", str(tmp_path)]
    assert main(args) == 0
    printed = capsys.readouterr()
    assert f"{model}_tsp100.pt (trained on tsp100)" in printed.out + printed.err
    sol = get_solver(model).solve(read_instance(DEMO_TSP), time_limit=1)
    lkh = get_solver("lkh").solve(read_instance(DEMO_TSP), time_limit=1)
    assert sol.feasible and lkh.feasible and sol.cost <= 1.03 * lkh.cost


def test_validation_scores_the_heatmap_without_local_search(tiny_policies, monkeypatch):
    """Validation rolls out ants without 2-opt (which would hide the heatmap's quality); test keeps it."""
    policy, _ = load_policy(tiny_policies["tsp"])
    env = make_env("tsp", num_loc=12)
    td = env.reset(env.generator(2))
    asked = {}
    original = type(policy).search

    def spy(self, *args, local_search=None, **kwargs):
        asked[phase] = local_search
        return original(self, *args, local_search=local_search, **kwargs)

    monkeypatch.setattr(type(policy), "search", spy)
    for phase in ("val", "test"):
        out = policy(td.clone(), env, phase=phase)
        assert out["reward"].shape == (2,) and torch.isfinite(out["reward"]).all()
    assert asked == {"val": False, "test": None}


@pytest.mark.slow
def test_shipped_deepaco_cvrp_policy_solves_a_cvrp_file_near_hgs():
    if not (WEIGHTS_DIR / "deepaco_cvrp100.pt").is_file():
        pytest.skip("no shipped deepaco_cvrp100.pt")
    inst = read_instance(DEMO_TSP.with_name("cvrp20_demo.vrp"))
    sol = get_solver("deepaco").solve(inst, time_limit=1)
    hgs = get_solver("hgs").solve(inst, time_limit=1)
    assert sol.feasible and hgs.feasible and sol.cost <= 1.05 * hgs.cost
