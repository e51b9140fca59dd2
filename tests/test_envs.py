"""Environments: random rollouts always pass the checker; reward equals minus the recomputed cost."""

import numpy as np
import pytest
import torch

from ncorouting.envs.cvrp.env import CVRPEnv
from ncorouting.envs.tsp.env import TSPEnv
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.models.inference import actions_to_routes
from ncorouting.solution import Solution


def random_rollout(env, td, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Uniformly random feasible actions until every instance is done."""
    td = env.reset(td)
    actions = []
    while not bool(td["done"].all()):
        probs = td["action_mask"].float()
        action = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
        actions.append(action)
        td.set("action", action)
        td = env.step(td)["next"]
    actions = torch.stack(actions, 1)
    return actions, env.get_reward(td, actions)


@pytest.mark.parametrize("problem, env_cls", [("tsp", TSPEnv), ("cvrp", CVRPEnv)])
def test_random_rollouts_never_break_checker(problem, env_cls):
    """10,000 instances of size 20: every rollout feasible; reward = -cost to 1e-5."""
    env = env_cls(generator_params={"num_loc": 20})
    td = generate_dataset(problem, 10_000, 20, seed=7)
    actions, reward = random_rollout(env, td.clone(), torch.Generator().manual_seed(0))
    instances = instances_from_batch(problem, td)
    for inst, act, rew in zip(instances, actions, reward, strict=True):
        sol = Solution.from_routes(inst, actions_to_routes(problem, act.tolist()), "random", 0.0)
        assert sol.feasible, sol.reason
        assert abs(sol.cost + float(rew)) <= 1e-5 * max(1.0, sol.cost)


@pytest.mark.parametrize("problem, env_cls", [("tsp", TSPEnv), ("cvrp", CVRPEnv)])
def test_matrix_costs_equal_coordinate_costs(problem, env_cls):
    """With `dist` attached (as for file instances) the reward equals the coordinate-based one."""
    env = env_cls(generator_params={"num_loc": 10})
    td = generate_dataset(problem, 64, 10, seed=3)
    actions, reward = random_rollout(env, td.clone(), torch.Generator().manual_seed(1))
    locs = td["locs"] if problem == "tsp" else torch.cat([td["depot"][:, None], td["locs"]], 1)
    td_dist = td.clone()
    td_dist["dist"] = torch.cdist(locs, locs)
    reward_dist = env.get_reward(env.reset(td_dist), actions)
    torch.testing.assert_close(reward, reward_dist, atol=1e-5, rtol=1e-5)


def test_matrix_costs_drive_the_reward():
    """An asymmetric matrix changes the reward: costs really come from `dist` when present."""
    env = TSPEnv(generator_params={"num_loc": 3})
    td = generate_dataset("tsp", 1, 3, seed=0)
    td["dist"] = torch.tensor([[[0.0, 1, 9], [9, 0, 1], [1, 9, 0]]])
    td = env.reset(td)
    assert float(env.get_reward(td, torch.tensor([[0, 1, 2]]))) == -3
    assert float(env.get_reward(td, torch.tensor([[0, 2, 1]]))) == -27


def test_cvrp_mask_respects_capacity_and_depot():
    env = CVRPEnv(generator_params={"num_loc": 3})
    td = generate_dataset("cvrp", 1, 3, seed=0)
    td["demand"] = torch.tensor([[0.6, 0.5, 0.3]])
    td = env.reset(td)
    assert td["action_mask"].tolist() == [[False, True, True, True]]  # no depot-to-depot trip
    td = env.replay(td, torch.tensor([[1]]))
    assert td["action_mask"].tolist() == [[True, False, False, True]]  # 0.5 no longer fits
    with pytest.raises(ValueError, match="infeasible"):
        env.replay(td, torch.tensor([[2]]))


def test_replay_prefix_then_finish():
    """Replaying a prefix leaves a state from which any completion keeps the prefix."""
    env = TSPEnv(generator_params={"num_loc": 5})
    td = env.reset(generate_dataset("tsp", 2, 5, seed=0))
    td = env.replay(td, torch.tensor([[3, 1], [0, 4]]))
    assert td["current_node"].tolist() == [1, 4]
    assert td["first_node"].tolist() == [3, 0]
    assert (~td["action_mask"]).sum(-1).tolist() == [2, 2]
    assert np.all(td["i"].numpy() == 2)
