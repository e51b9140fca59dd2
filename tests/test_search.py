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
