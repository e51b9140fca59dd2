"""Profiled VRP environment: random rollouts always pass the checker with reward = -objective, the
conflict rule, the mask, the generators and the tensor validity check."""

import math

import numpy as np
import pytest
import torch

from ncorouting.envs import make_env
from ncorouting.envs.pvrp.batch import actions_to_trips, instances_from_batch, instances_to_batch
from ncorouting.envs.pvrp.env import resolve_conflicts
from ncorouting.envs.pvrp.generator import preference_matrix, zone_matrix
from ncorouting.io.datasets import generate_dataset
from ncorouting.models.camp.decoding import parallel_step
from ncorouting.solution import Solution


def random_rollout(env, td, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Every vehicle picks uniformly among its feasible nodes until all instances are done."""
    td = env.reset(td)
    actions = []
    while not bool(td["done"].all()):
        mask = td["action_mask"]
        pick = torch.multinomial(mask.flatten(0, 1).float(), 1, generator=generator).view(mask.shape[:2])
        td.set("action", pick)
        td = env.step(td)["next"]
        actions.append(td["action"])
    actions = torch.stack(actions, -1)
    return actions, env.get_reward(td, actions)


@pytest.mark.parametrize("problem", ["pvrp_p", "pvrp_zc"])
def test_random_rollouts_never_break_checker(problem):
    """10,000 instances (n = 20, m = 3): every rollout feasible; reward = -J of the checker to 1e-5."""
    data = generate_dataset(problem, 10_000, 20, seed=5)
    env = make_env(problem, 20)
    actions, reward = random_rollout(env, data.clone(), torch.Generator().manual_seed(0))
    for inst, act, rew in zip(instances_from_batch(problem, data), actions, reward, strict=True):
        routes, vehicles = actions_to_trips(act)
        sol = Solution.from_routes(inst, routes, "random", 0.0, vehicles)
        assert sol.feasible, sol.reason
        assert abs(sol.cost + float(rew)) <= 1e-5 * max(1.0, abs(sol.cost))


def test_heterogeneous_fleet_reward_matches_checker():
    """Per-vehicle capacities and speeds: travel time is distance / speed, trips within each capacity."""
    params = {"num_agents": 3, "capacity": [20.0, 40.0, 60.0], "speed": [0.5, 1.0, 2.0]}
    data = generate_dataset("pvrp_p", 500, 15, seed=2, **params)
    actions, reward = random_rollout(make_env("pvrp_p", 15, **params), data.clone(), torch.Generator().manual_seed(1))
    for inst, act, rew in zip(instances_from_batch("pvrp_p", data), actions, reward, strict=True):
        routes, vehicles = actions_to_trips(act)
        sol = Solution.from_routes(inst, routes, "random", 0.0, vehicles)
        assert sol.feasible, sol.reason
        assert abs(sol.cost + float(rew)) <= 1e-5 * max(1.0, abs(sol.cost))
    assert [v.speed for v in inst.fleet] == [0.5, 1.0, 2.0]


def test_conflict_rule_the_more_probable_vehicle_wins():
    """Two vehicles propose one client: the 0.6 one keeps it, the 0.3 one stays put; ties go to the lower index."""
    current = torch.tensor([[0, 1]])
    action, halted = resolve_conflicts(torch.tensor([[2, 2]]), current, torch.tensor([[0.3, 0.6]]), 2)
    assert action.tolist() == [[0, 2]] and halted.tolist() == [[True, False]]
    action, halted = resolve_conflicts(torch.tensor([[2, 2]]), current, torch.tensor([[0.5, 0.5]]), 2)
    assert action.tolist() == [[2, 1]] and halted.tolist() == [[False, True]]
    depots = resolve_conflicts(torch.tensor([[0, 1]]), torch.tensor([[3, 4]]), None, 2)[0]  # own depots: no conflict
    assert depots.tolist() == [[0, 1]]


def test_halted_vehicle_keeps_its_log_probability():
    """One decoding step: both vehicles pick client 2 (p = 0.3 and 0.6); the second moves, the first stays at
    its depot; the step's log-likelihood still counts log 0.3 for the halted vehicle."""
    env = make_env("pvrp_p", 4, num_agents=2)
    td = env.reset(env.generator(batch_size=[1]))
    probs = torch.tensor([[[0, 0, 0.3, 0.25, 0.25, 0.2], [0, 0, 0.6, 0.2, 0.1, 0.1]]])
    action, loglik = parallel_step(td, probs.clamp_min(1e-12).log(), "greedy", clip=0.0)
    assert action.tolist() == [[2, 2]]
    td.set("action", action)
    nxt = env.step(td)["next"]
    assert nxt["current_node"].tolist() == [[0, 2]] and nxt["halted"].tolist() == [[True, False]]
    assert math.isclose(float(loglik), math.log(0.3) + math.log(0.6), rel_tol=1e-5)


def test_mask_invariants():
    """Start: every vehicle must leave (own depot closed); only own depot copies; zones and capacity hold."""
    env = make_env("pvrp_zc", 12, num_agents=3)
    td = env.reset(env.generator(batch_size=[64]))
    mask, m = td["action_mask"], 3
    assert not mask[..., :m].any()
    assert torch.equal(mask[..., m:], td["zone"][..., m:])
    td.set("action", mask.float().flatten(0, 1).multinomial(1).view(64, m))
    td = env.step(td)["next"]
    depot_block = td["action_mask"][..., :m]
    assert not (depot_block & ~torch.eye(m, dtype=torch.bool)).any()  # never another vehicle's depot copy
    assert depot_block.diagonal(dim1=1, dim2=2).all()  # away from home: the own depot is open
    remaining = (td["capacity"] - td["used_capacity"])[..., None]
    assert not (td["action_mask"][..., m:] & (td["demand"][:, None, m:] > remaining + 1e-5)).any()


def test_validity_check_catches_bad_actions():
    env = make_env("pvrp_zc", 3, num_agents=2)
    data = env.generator(batch_size=[1])
    data["zone"][:] = torch.tensor([[[True, True, True], [True, False, True]]])
    data["demand"][:] = torch.tensor([[30.0, 30.0, 5.0]])
    td = env.reset(data)
    cases = {
        "served twice": [[2, 0, 3, 0], [2, 1, 4, 1]],
        "outside its zone": [[2, 0, 4, 0], [3, 1, 1, 1]],
        "exceeds its vehicle's capacity": [[2, 3, 0, 0], [4, 1, 1, 1]],
        "another vehicle's depot copy": [[2, 1, 3, 0], [4, 1, 1, 1]],
    }
    for reason, actions in cases.items():
        with pytest.raises(ValueError, match=reason):
            env.check_solution_validity(td, torch.tensor([actions]))
    env.check_solution_validity(td, torch.tensor([[[3, 0, 4, 0], [2, 1, 1, 1]]]))  # valid: no error


def test_generators():
    depot, locs = torch.full((1, 2), 0.5), torch.tensor([[[0.9, 0.6], [0.4, 0.9], [0.1, 0.4], [0.6, 0.1]]])
    angle = preference_matrix("angle", depot, locs, 4)  # quadrants counter-clockwise from the +x axis
    assert angle[0].argmax(0).tolist() == [0, 1, 2, 3] and angle.sum(1).eq(1).all()
    torch.manual_seed(0)
    cluster = preference_matrix("cluster", depot, locs, 2)
    assert ((cluster >= 0) & (cluster <= 1)).all() and (cluster.max(-1).values == 1).all()  # centres are clients
    zones = zone_matrix(2000, 3, 50)
    assert zones.any(1).all()  # every client keeps an allowed vehicle
    assert 0.1 < 1 - zones.float().mean() < 0.25  # about 1/6 of (vehicle, client) pairs forbidden for m = 3


def test_batch_roundtrip():
    for problem in ("pvrp_p", "pvrp_zc"):
        data = generate_dataset(problem, 8, 10, seed=1, num_agents=4)
        back = instances_to_batch(instances_from_batch(problem, data))
        for key in data.keys():
            assert np.allclose(back[key].float().numpy(), data[key].float().numpy(), atol=1e-6), key
