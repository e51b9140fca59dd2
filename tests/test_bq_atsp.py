"""BQ-NCO on ATSP: the path-ATSP environment costs like the ATSP environment and the checker, its
reduced state (the cost sub-matrix) is that of the remaining sub-problem, labels come from city files,
and a policy trained from a config solves `.atsp` files (matrix only) through `solve`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from tensordict import TensorDict
from test_bq_env import random_rollout
from test_realworld import write_grid_osm

from ncorouting.cli import main
from ncorouting.envs import make_env
from ncorouting.errors import InputError
from ncorouting.evaluation import eval_neural, eval_solver
from ncorouting.models.bq.env import BQ_ENVS
from ncorouting.models.bq.labels import LabelRequest, cached_labels, load_labels
from ncorouting.models.bq.policy import state_inputs
from ncorouting.models.bq.solver import BQSolver
from ncorouting.models.bq.trajectories import atsp_trajectories, suffix_states
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.inference import WEIGHTS_DIR, actions_to_routes
from ncorouting.models.rrnco.inference import MatrixPolicySolver
from ncorouting.realworld.city import build_city, save_city
from ncorouting.realworld.instances import instances_from_batch, sample_batch
from ncorouting.solution import Solution
from ncorouting.solvers import get_solver
from ncorouting.training.train import load_config, train

ATSP_FILES = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks" / "atsp"


def random_atsp(batch: int, size: int, seed: int = 0) -> TensorDict:
    """Asymmetric matrices (one-way detours on Euclidean distances) with their coordinates."""
    gen = torch.Generator().manual_seed(seed)
    locs = torch.rand(batch, size, 2, generator=gen)
    dist = torch.cdist(locs, locs) * (1 + torch.rand(batch, size, size, generator=gen))
    dist = dist * (1 - torch.eye(size))
    return TensorDict({"locs": locs, "dist": dist}, batch_size=[batch])


def test_bq_atsp_rollout_costs_like_atsp_env_and_checker():
    batch = random_atsp(5, 11, seed=1)
    env = BQ_ENVS["atsp"](generator_params={"num_loc": 11})
    done = random_rollout(env, env.reset(batch.clone()))
    actions = env.standard_actions(done)
    standard = make_env("atsp", 11)
    reward = standard.get_reward(standard.reset(batch.clone()), actions)
    assert torch.allclose(-done["length"], reward, atol=1e-5)
    for inst, act, length in zip(instances_from_batch("atsp", batch), actions, done["length"], strict=True):
        sol = Solution.from_routes(inst, actions_to_routes("atsp", act.tolist()), "bq", 0.0)
        assert sol.feasible, sol.reason
        assert sol.cost == pytest.approx(float(length), rel=1e-5)
    with pytest.raises(ValueError, match="needs its distance matrix"):
        env.reset(batch.exclude("dist"))


def canonical(tokens: torch.Tensor, matrix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Candidates (all but the first and last token) sorted by their cost from the origin, in the tokens
    and in the matrix's rows and columns, so two states compare as sets."""
    order = torch.argsort(tokens[:, 1:-1, 0], dim=1) + 1
    last = torch.full_like(order[:, :1], tokens.size(1) - 1)
    perm = torch.cat([torch.zeros_like(last), order, last], dim=1)
    tokens = tokens.gather(1, perm[..., None].expand_as(tokens))
    matrix = matrix.gather(1, perm[..., None].expand_as(matrix)).gather(2, perm[:, None, :].expand_as(matrix))
    return tokens, matrix


def test_bisimulation_atsp_partial_state_equals_fresh_sub_problem():
    env = BQ_ENVS["atsp"](generator_params={"num_loc": 13})
    partial = random_rollout(env, env.reset(random_atsp(3, 13, seed=2)), steps=5, seed=1)
    # a fresh instance of [destination, remaining (shuffled), origin]: its origin is the last node
    rows = []
    for b in range(3):
        rest = partial["remaining"][b][torch.randperm(partial["remaining"].size(1))]
        rows.append(torch.cat([partial["dest"][b : b + 1], rest, partial["origin"][b : b + 1]]))
    nodes = torch.stack(rows)
    size = nodes.size(1)
    dist = partial["dist"].gather(1, nodes[..., None].expand(-1, -1, 13)).gather(2, nodes[:, None].expand(-1, size, -1))
    locs = partial["locs"].gather(1, nodes[..., None].expand(-1, -1, 2))
    fresh = env.reset(TensorDict({"locs": locs, "dist": dist, "origin": torch.full((3,), size - 1)}, batch_size=[3]))
    a, b = canonical(*state_inputs(partial, "atsp")[0]), canonical(*state_inputs(fresh, "atsp")[0])
    assert torch.allclose(a[0], b[0]) and torch.allclose(a[1], b[1])
    # with a k-nearest window: the same k cheapest candidates, the same inputs
    a, b = canonical(*state_inputs(partial, "atsp", 4)[0]), canonical(*state_inputs(fresh, "atsp", 4)[0])
    assert a[1].shape == (3, 6, 6) and torch.allclose(a[1], b[1])


@pytest.fixture(scope="module")
def grid_city(tmp_path_factory) -> Path:
    """A city file of 60 points on a synthetic one-way grid."""
    folder = tmp_path_factory.mktemp("city")
    return save_city(build_city(write_grid_osm(folder / "grid.osm", size=6), num_points=60), folder / "grid.npz")


def test_atsp_labels_need_cities_and_only_atsp_takes_them(grid_city):
    with pytest.raises(InputError, match="atsp needs --cities"):
        LabelRequest("atsp", 8, 4, "lkh", seed=0, time_limit=1.0).validate()
    with pytest.raises(InputError, match="tsp takes no --cities"):
        LabelRequest("tsp", 8, 4, "lkh", seed=0, time_limit=1.0, cities=(str(grid_city),)).validate()
    with pytest.raises(InputError, match="solver 'hgs' cannot label atsp"):
        LabelRequest("atsp", 8, 4, "hgs", seed=0, time_limit=1.0, cities=(str(grid_city),)).validate()


@pytest.fixture(scope="module")
def atsp_labels(grid_city, tmp_path_factory) -> Path:
    request = LabelRequest("atsp", 9, 24, "lkh", seed=4, time_limit=1.0, max_trials=9, cities=(str(grid_city),))
    _, path, cached = cached_labels(request, tmp_path_factory.mktemp("labels") / "atsp9.npz")
    assert not cached
    return path


@pytest.mark.slow
def test_atsp_labels_round_trip_and_suffix_states(atsp_labels, tmp_path):
    labels = load_labels(atsp_labels, problem="atsp", size=9)
    assert labels.request.cities and len(labels) == 24
    dist = labels.instances["dist"]
    assert not torch.allclose(dist, dist.transpose(1, 2))  # one-way streets: asymmetric
    traj = atsp_trajectories(labels)
    assert traj["nodes"].shape == (24, 10) and torch.equal(traj["nodes"][:, 0], traj["nodes"][:, -1])
    (tokens, matrix), allowed, target = suffix_states(traj, "atsp", 6)
    assert tokens.shape == (24, 6, 4) and matrix.shape == (24, 6, 6) and allowed.shape == (24, 4, 1)
    assert target.eq(0).all() and float(matrix.amax()) == pytest.approx(1.0)
    # the expert's tour cost, recomputed from the matrix along the trajectory
    steps = dist.gather(1, traj["nodes"][:, :-1, None].expand(-1, -1, 9))
    cost = steps.gather(2, traj["nodes"][:, 1:, None])[..., 0].sum(1)
    assert np.allclose(cost.numpy(), labels.costs, rtol=1e-5)
    with np.load(atsp_labels) as blob:
        arrays = {k: blob[k] for k in blob.files}
    arrays["dist"] = arrays["dist"][:, :8]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(InputError, match="array 'dist' has shape"):
        load_labels(tmp_path / "bad.npz")


@pytest.mark.slow
def test_atsp_bq_trains_from_config_and_solves_matrix_files(atsp_labels, tmp_path):
    cfg = load_config(
        [
            "experiment=atsp50_bq",
            "env.generator.num_loc=9",
            f"model.kwargs.labels={atsp_labels}",
            "model.kwargs.val_instances=4",
            "data.batch_size=8",
            "trainer.max_steps=4",
            "threads=1",
            f"output_dir={tmp_path / 'run'}",
        ]
    )
    policy_path = train(cfg)
    assert Path(policy_path).is_file()
    _, meta = load_policy(policy_path, problem="atsp")
    assert meta["model"] == "bq" and meta["num_loc"] == 9
    if not ATSP_FILES.is_dir():
        pytest.skip(f"{ATSP_FILES} is absent (it comes with ../shared/data)")
    args = ["solve", str(ATSP_FILES), "--solver", "bq", "--checkpoint", str(policy_path), "--beam", "3", "--no-plot"]
    assert main([*args, "--out", str(tmp_path / "out"), "--json", str(tmp_path / "r.json")]) == 0
    records = json.loads((tmp_path / "r.json").read_text())
    assert len(records) == 4 and all(r["feasible"] for r in records)  # matrix-only files, checked
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"ftv33.bq.tour", "ry48p.bq.tour"}


OSM_DIR = ATSP_FILES.parents[1] / "osm"


@pytest.mark.slow
def test_shipped_bq_atsp_beats_shipped_rrnco_on_another_city_at_twice_its_size():
    """Trained at 50 nodes in aguascalientes, the shipped BQ solves 100-node helsinki instances closer to
    LKH-3 than the shipped RRNCO (same training city and size, multi-start greedy) does (docs/bq.md)."""
    if not (WEIGHTS_DIR / "bq_atsp50.pt").is_file():
        pytest.skip("no shipped bq_atsp50.pt")
    if not OSM_DIR.is_dir():
        pytest.skip(f"{OSM_DIR} is absent (it comes with ../shared/data)")
    city = build_city(OSM_DIR / "helsinki.osm.bz2", num_points=1000, seed=0)
    td = sample_batch(city, "atsp", 100, 6, seed=11)
    ref = eval_solver(get_solver("lkh", max_trials=100), "atsp", td, 2.0, progress=False)
    bq = eval_neural(BQSolver(), "atsp", td, 100)
    rrnco = eval_neural(MatrixPolicySolver("rrnco", num_augment=1), "atsp", td, 100)
    assert bq.feasible_share == rrnco.feasible_share == ref.feasible_share == 1.0
    assert bq.gap_to(ref) < rrnco.gap_to(ref)
