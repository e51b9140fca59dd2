"""Test-time search for POMO: sampling and EAS under a time limit, never worse than greedy x8."""

import pytest

from ncorouting.errors import InputError
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.models.inference import NeuralSolver


@pytest.mark.slow
@pytest.mark.parametrize("problem", ["tsp", "cvrp"])
@pytest.mark.parametrize("search", ["sample", "eas"])
def test_search_improves_or_keeps_greedy_within_its_time(problem, search):
    instances = instances_from_batch(problem, generate_dataset(problem, 2, 15, seed=5), name="s")
    greedy = NeuralSolver().solve_many(instances)
    searched = NeuralSolver(search=search).solve_many(instances, time_limit=1.0)
    for g, s in zip(greedy, searched, strict=True):
        assert s.feasible, s.reason
        assert s.cost <= g.cost + 1e-9
        assert 0.2 < s.runtime < 4.0  # 1 s per instance; a batch of 2 shares 2 s, plus one overshoot


def test_search_needs_a_time_limit_and_a_known_name():
    inst = instances_from_batch("tsp", generate_dataset("tsp", 1, 10, seed=1))[0]
    with pytest.raises(InputError, match="search 'sample' needs a time limit"):
        NeuralSolver(search="sample").solve(inst)
    with pytest.raises(InputError, match="unknown search 'beam'"):
        NeuralSolver(search="beam")


def test_sampling_temperature_reaches_the_policy():
    """Near zero temperature every sampled rollout is the greedy one; at 1.0 sampling differs from greedy."""
    import torch

    from ncorouting.envs import make_env
    from ncorouting.models.inference import decode
    from ncorouting.models.search import _sample_round

    solver = NeuralSolver()
    policy, _ = solver.policy_for("cvrp", 20)
    env = make_env("cvrp", 20)
    td = generate_dataset("cvrp", 4, 20, seed=3)
    _, greedy = decode(policy, env, td.clone(), True, 1)
    torch.manual_seed(0)
    _, cold = _sample_round(policy, env, td.clone(), True, 1, temperature=1e-4)
    _, hot = _sample_round(policy, env, td.clone(), True, 1, temperature=5.0)
    assert torch.allclose(cold, greedy)
    assert not torch.allclose(hot, greedy)


def test_temperature_is_checked():
    with pytest.raises(InputError, match="applies to a search"):
        NeuralSolver(temperature=0.5)
    with pytest.raises(InputError, match="positive number"):
        NeuralSolver(search="sample", temperature=0.0)
