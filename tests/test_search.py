"""Test-time search for POMO: sampling and EAS under a time limit, never worse than greedy x8."""

import pytest
import torch

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


def test_eas_samples_its_own_augmented_copies_whatever_the_greedy_decode_used():
    """EAS draws 8 or 2 augmented copies per iteration (2 when fewer than EAS_MIN_ITERATIONS iterations of 8
    fit the budget), so a solver decoding without augmentation still searches; rl4co's EAS cannot take a
    single copy, which is refused with a clear error."""
    from ncorouting.models.search import EAS_MIN_ITERATIONS, Incumbent, eas_copies, eas_search

    assert eas_copies(budget=EAS_MIN_ITERATIONS * 8 * 0.1, copy_iteration=0.1) == 8
    assert eas_copies(budget=EAS_MIN_ITERATIONS * 8 * 0.1 - 0.01, copy_iteration=0.1) == 2

    instances = instances_from_batch("cvrp", generate_dataset("cvrp", 2, 15, seed=6), name="s")
    greedy = NeuralSolver(num_augment=1).solve_many(instances)
    searched = NeuralSolver(num_augment=1, search="eas").solve_many(instances, time_limit=1.0)
    for g, s in zip(greedy, searched, strict=True):
        assert s.feasible, s.reason
        assert s.cost <= g.cost + 1e-9
    with pytest.raises(InputError, match="at least 2 augmented copies"):
        eas_search(None, None, None, Incumbent(torch.zeros(1, 3), torch.zeros(1)), 0.0, 0.0, num_augment=1)


def test_search_needs_a_time_limit_and_a_known_name():
    inst = instances_from_batch("tsp", generate_dataset("tsp", 1, 10, seed=1))[0]
    with pytest.raises(InputError, match="search 'sample' needs a time limit"):
        NeuralSolver(search="sample").solve(inst)
    with pytest.raises(InputError, match="unknown search 'beam'"):
        NeuralSolver(search="beam")


def test_sampling_temperature_reaches_the_policy():
    """Near zero temperature every sampled rollout is the greedy one; at 1.0 sampling differs from greedy."""
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
