"""BQ-NCO environments: same costs as the standard environments and the checker, and the
bisimulation property (a partly solved instance's state is that of its remaining sub-problem)."""

from __future__ import annotations

import pytest
import torch
from tensordict import TensorDict

from ncorouting.envs import make_env
from ncorouting.io.datasets import instances_from_batch
from ncorouting.models.bq.env import BQ_ENVS
from ncorouting.models.bq.policy import state_inputs
from ncorouting.models.inference import actions_to_routes
from ncorouting.solution import Solution


def random_rollout(env, td: TensorDict, steps: int | None = None, seed: int = 0) -> TensorDict:
    """Take uniformly random allowed actions (all of them, or `steps`)."""
    gen = torch.Generator().manual_seed(seed)
    taken = 0
    while not bool(td["done"].all()) and (steps is None or taken < steps):
        td["action"] = torch.multinomial(td["action_mask"].float(), 1, generator=gen)[:, 0]
        td = env.step(td)["next"]
        taken += 1
    return td


@pytest.mark.parametrize("problem, size", [("tsp", 12), ("cvrp", 15)])
def test_bq_rollout_costs_like_standard_env_and_checker(problem, size):
    torch.manual_seed(3)
    standard = make_env(problem, size)
    batch = standard.generator(batch_size=[6])
    env = BQ_ENVS[problem](generator=standard.generator)
    done = random_rollout(env, env.reset(batch.clone()))
    actions = env.standard_actions(done)
    reward = standard.get_reward(standard.reset(batch.clone()), actions)  # also runs the standard validity check
    assert torch.allclose(-done["length"], reward, atol=1e-5)
    assert torch.allclose(env.get_reward(done, None), reward)
    for inst, act, length in zip(instances_from_batch(problem, batch), actions, done["length"], strict=True):
        sol = Solution.from_routes(inst, actions_to_routes(problem, act.tolist()), "bq", 0.0)
        assert sol.feasible, sol.reason
        assert sol.cost == pytest.approx(float(length), rel=1e-5)


def test_bq_cvrp_reloads_only_when_needed():
    standard = make_env("cvrp", 10)
    env = BQ_ENVS["cvrp"](generator=standard.generator)
    td = env.reset(standard.generator(batch_size=[2]))
    assert not td["action_mask"].view(2, -1, 2)[..., 0].any()  # at the depot every move starts a route
    td = random_rollout(env, td, steps=3)
    demand = env.node_demand(td, td["remaining"])
    direct = td["action_mask"].view(2, -1, 2)[..., 0]
    assert torch.equal(direct, demand <= td["capacity_left"][:, None] + 1e-5)
    assert td["action_mask"].view(2, -1, 2)[..., 1].all()


def sub_problem(problem: str, td: TensorDict) -> TensorDict:
    """A fresh instance made of a state's remaining nodes, its origin and its destination (node 0),
    with the nodes in another order: the origin given as a node index of the new instance."""
    perm_rows, origins = [], []
    for b in range(td.batch_size[0]):
        rest = td["remaining"][b][torch.randperm(td["remaining"].size(1))]
        nodes = torch.cat(
            [td["dest"][b : b + 1], rest[: len(rest) // 2], td["origin"][b : b + 1], rest[len(rest) // 2 :]]
        )
        perm_rows.append(nodes)
        origins.append(1 + len(rest) // 2)
    nodes = torch.stack(perm_rows)
    locs = td["locs"].gather(1, nodes[..., None].expand(-1, -1, 2))
    fresh = {"origin": torch.tensor(origins)}
    if problem == "tsp":
        fresh["locs"] = locs
    else:
        fresh.update(depot=locs[:, 0], locs=locs[:, 1:], demand=td["demand"].gather(1, nodes[:, 1:] - 1))
        fresh["capacity_left"] = td["capacity_left"].clone()
    return TensorDict(fresh, batch_size=td.batch_size), nodes


def canonical(tokens: torch.Tensor) -> torch.Tensor:
    """Tokens with the candidates (all but first and last) sorted, so sets compare as sets."""
    middle = tokens[:, 1:-1]
    order = torch.argsort(middle[..., 0] * 1e4 + middle[..., 1], dim=1)
    middle = middle.gather(1, order[..., None].expand_as(middle))
    return torch.cat([tokens[:, :1], middle, tokens[:, -1:]], dim=1)


@pytest.mark.parametrize("problem, size", [("tsp", 14), ("cvrp", 14)])
def test_bisimulation_partial_state_equals_fresh_sub_problem(problem, size):
    torch.manual_seed(5)
    standard = make_env(problem, size)
    env = BQ_ENVS[problem](generator=standard.generator)
    partial = random_rollout(env, env.reset(standard.generator(batch_size=[4])), steps=5, seed=1)
    fresh_batch, nodes = sub_problem(problem, partial)
    fresh = env.reset(fresh_batch)
    # the same reduced state: tokens (as a set of candidates) and the allowed moves
    (partial_tokens,), _ = state_inputs(partial, problem)
    (fresh_tokens,), _ = state_inputs(fresh, problem)
    assert torch.allclose(canonical(partial_tokens), canonical(fresh_tokens))
    assert int(partial["action_mask"].sum()) == int(fresh["action_mask"].sum())
    # the same future: identical decisions from both states cost the same
    gen = torch.Generator().manual_seed(2)
    start = partial["length"].clone()
    while not bool(partial["done"].all()):
        partial["action"] = torch.multinomial(partial["action_mask"].float(), 1, generator=gen)[:, 0]
        options = env.options
        chosen = partial["remaining"].gather(1, (partial["action"] // options)[:, None])
        local = (nodes == chosen).float().argmax(dim=1)  # the same node in the fresh instance
        position = (fresh["remaining"] == local[:, None]).float().argmax(dim=1)
        fresh["action"] = position * options + partial["action"] % options
        partial, fresh = env.step(partial)["next"], env.step(fresh)["next"]
    assert torch.allclose(partial["length"] - start, fresh["length"], atol=1e-5)


def test_sub_problem_origin_must_be_a_node_in_every_row():
    standard = make_env("tsp", 6)
    env = BQ_ENVS["tsp"](generator=standard.generator)
    batch = standard.generator(batch_size=[2])
    batch["origin"] = torch.tensor([2, 0])
    with pytest.raises(ValueError, match="origin must be a node"):
        env.reset(batch.clone())
    batch["origin"] = torch.tensor([2, 5])
    td = env.reset(batch)
    assert td["remaining"].tolist() == [[1, 3, 4, 5], [1, 2, 3, 4]]
    assert td["origin"].tolist() == [2, 5] and td["dest"].tolist() == [0, 0]
