"""The shipped policies load with no flag and solve generated instances near the known optimal means
(TSP20 3.83, CVRP20 6.12 as reported with Concorde / LKH-3; see shared field notes)."""

import pytest

from ncorouting.evaluation import eval_neural
from ncorouting.io.datasets import generate_dataset
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.inference import NeuralSolver, shipped_checkpoint


@pytest.mark.parametrize("problem, optimal_mean, max_gap", [("tsp", 3.83, 1.0), ("cvrp", 6.12, 4.0)])
def test_shipped_pomo_near_optimal_mean(problem, optimal_mean, max_gap):
    path = shipped_checkpoint("pomo", problem, 20)
    _, meta = load_policy(path, problem=problem, num_loc=20)
    assert meta["model"] == "pomo"
    result = eval_neural(NeuralSolver("pomo"), problem, generate_dataset(problem, 200, 20, seed=4321), 20)
    assert result.feasible_share == 1.0
    assert 100 * (result.mean_cost - optimal_mean) / optimal_mean < max_gap
