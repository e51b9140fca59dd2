"""ATSP / ACVRP / ACVRPTW on city matrices: environments agree with the one checker, time windows are
honoured by the masks and by the classical solvers, and conversions between batches and instances."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from rl4co.data.transforms import StateAugmentation
from test_realworld import write_grid_osm

from ncorouting.envs import make_env
from ncorouting.models.inference import actions_to_routes
from ncorouting.models.zoo import build_policy
from ncorouting.realworld.city import build_city
from ncorouting.realworld.instances import (
    batch_from_instances,
    instances_from_batch,
    pseudo_coords,
    sample_instances,
)
from ncorouting.registry import get_problem
from ncorouting.solvers import get_solver

TINY_RRNCO = {"embed_dim": 16, "num_encoder_layers": 1, "num_heads": 2, "feedforward_hidden": 32, "bias_dim": 4}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return build_city(
        write_grid_osm(tmp_path_factory.mktemp("osm") / "grid.osm", size=6), num_points=60, progress=False
    )


@pytest.mark.parametrize("problem", ["atsp", "acvrp", "acvrptw"])
def test_sampled_rollouts_are_feasible_and_rewards_equal_checked_costs(city, problem):
    """Random-policy rollouts (sampling, every start): the masks admit only routes the checker accepts
    (no late arrival, no overload), and each reward is minus the recomputed km cost to 1e-5."""
    torch.manual_seed(0)
    env = make_env(problem, 12, cities=[city])
    batch = env.generator(6)
    policy = build_policy("rrnco", problem, TINY_RRNCO)
    td = env.reset(batch.clone())
    starts = env.get_num_starts(td)
    with torch.no_grad():
        out = policy(td, env, phase="train", decode_type="multistart_sampling", num_starts=starts)
    actions = out["actions"].view(starts, 6, -1)
    rewards = out["reward"].view(starts, 6)
    check = get_problem(problem).check
    for b, inst in enumerate(instances_from_batch(problem, batch)):
        for s in range(starts):
            result = check(inst, actions_to_routes(problem, actions[s, b].tolist()), None)
            assert result.feasible, result.reason
            assert -float(rewards[s, b]) == pytest.approx(result.cost, rel=1e-5)


def test_time_windows_make_every_client_feasible_alone_and_are_checked(city):
    inst = sample_instances(city, "acvrptw", 15, 1, seed=4)[0]
    check = get_problem("acvrptw").check
    alone = [[c] for c in range(1, inst.num_nodes)]
    assert check(inst, alone, None).feasible
    tw = inst.time_windows
    assert tw[0].tolist() == pytest.approx([0.0, 4.6 * inst.durations.max()])
    # a client whose window closes before another's opens, served after it, is late
    first, second = np.argsort(tw[1:, 0])[[0, -1]] + 1
    late = check(inst, [[second, first]] + [[c] for c in range(1, inst.num_nodes) if c not in (first, second)], None)
    assert not late.feasible and "after its window closes" in late.reason
    heavy = inst.demands.copy()
    heavy[1:] = inst.capacity / 2 + 1
    overloaded = type(inst)(**{**inst.__dict__, "demands": heavy})
    result = check(overloaded, [[1, 2]] + [[c] for c in range(3, inst.num_nodes)], None)
    assert not result.feasible and "over the capacity" in result.reason


@pytest.mark.slow
@pytest.mark.parametrize("solver", ["hgs", "ortools"])
def test_classical_solvers_honour_time_windows_on_durations(city, solver):
    """Checked feasible on the duration windows, and dearer than the same clients without windows."""
    inst = sample_instances(city, "acvrptw", 12, 1, seed=2)[0]
    relaxed = type(inst)(**{**inst.__dict__, "problem": "acvrp", "time_windows": None, "service_times": None})
    sol = get_solver(solver).solve(inst, time_limit=1.0)
    free = get_solver(solver).solve(relaxed, time_limit=1.0)
    assert sol.feasible and free.feasible
    assert sol.cost >= free.cost - 1e-9


def test_lkh_solves_atsp_city_instances(city):
    inst = sample_instances(city, "atsp", 15, 1, seed=5)[0]
    lkh, ortools = get_solver("lkh").solve(inst, 1.0), get_solver("ortools", solution_limit=2000).solve(inst, 5.0)
    assert lkh.feasible and ortools.feasible
    assert lkh.cost <= ortools.cost + 1e-9


def test_augmentation_changes_coordinates_only(city):
    env = make_env("acvrp", 10, cities=[city])
    td = env.reset(env.generator(3))
    augmented = StateAugmentation(num_augment=8, augment_fn="dihedral8")(td)
    assert torch.equal(augmented["dist"], td["dist"].repeat(8, 1, 1))
    assert not torch.equal(augmented["locs"], td["locs"].repeat(8, 1, 1))


@pytest.mark.parametrize("problem", ["atsp", "acvrp", "acvrptw"])
def test_batches_and_instances_convert_both_ways(city, problem):
    td = make_env(problem, 8, cities=[city]).generator(4)
    back = batch_from_instances(instances_from_batch(problem, td))
    for key in back.keys():
        assert torch.allclose(back[key], td[key].float(), atol=1e-6), key


def test_pseudo_coordinates_reproduce_euclidean_distances():
    xy = np.random.default_rng(0).uniform(size=(9, 2))
    d = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    recovered = pseudo_coords(d)
    assert np.allclose(np.linalg.norm(recovered[:, None] - recovered[None], axis=-1), d, atol=1e-9)
