"""Sparse k-NN graphs: edge costs are the matrix's own, the layout is what the ant colony assumes,
bad k is refused, and the whole DeepACO pipeline stays linear in n * k (sizes, not timing)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ncorouting.errors import InputError
from ncorouting.graphs import CostSource, effective_k, knn_graph
from ncorouting.instance import Instance
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.models.aco.memory import LargestTensor
from ncorouting.models.aco.solver import AcoSolver
from ncorouting.models.checkpoint import policy_metadata, save_policy
from ncorouting.models.zoo import build_policy


def explicit_instance(n: int = 30, seed: int = 0) -> Instance:
    """An asymmetric integer matrix without coordinates, as a road or explicit TSPLIB file gives."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(1, 1000, size=(n, n)).astype(float)
    np.fill_diagonal(matrix, 0)
    return Instance("tsp", matrix, name="explicit")


def test_graph_of_a_matrix_instance_has_the_matrix_costs():
    inst = explicit_instance()
    graph = knn_graph(CostSource.from_instances([inst]), k=6)
    src, dst = graph.sources.numpy(), graph.targets[0].numpy()
    assert graph.targets.shape == (1, 30 * 6)
    np.testing.assert_array_equal(graph.costs[0].numpy(), inst.distances[src, dst])  # exactly, float64
    for node in range(30):  # each row: the 6 cheapest out-edges, cheapest first
        row = dst[src == node]
        assert node not in row
        np.testing.assert_array_equal(np.sort(inst.distances[node, row]), inst.distances[node, row])
        others = np.delete(inst.distances[node], [node, *row])
        assert inst.distances[node, row].max() <= others.min()


def test_batched_pyg_graph_of_coordinates():
    locs = torch.rand(3, 12, 2)
    graph = knn_graph(CostSource(coords=locs), k=4)
    batch = graph.to_pyg(torch.zeros(3, 12, 5), torch.zeros(3, graph.num_edges, 2))
    assert batch.num_graphs == 3 and batch.edge_index.shape == (2, 3 * 12 * 4)
    dist = torch.cdist(locs, locs)
    b = torch.arange(3)[:, None]
    torch.testing.assert_close(dist[b, graph.sources[None], graph.targets], graph.costs)
    assert int(batch.edge_index.max()) == 3 * 12 - 1  # node ids offset per graph


def test_depot_graph_layout_and_edge_lookup():
    graph = knn_graph(CostSource(coords=torch.rand(1, 10, 2)), k=4, depot=True)
    n, k = 10, 4
    assert graph.num_edges == (n - 1) * (k + 1)
    assert graph.targets[0, : n - 1].tolist() == list(range(1, n))  # depot -> every client
    rows = graph.targets[0, n - 1 :].view(n - 1, k)
    assert (rows[:, 0] == 0).all()  # every client keeps its edge back to the depot
    path = torch.tensor([[0, int(rows[2, 1]), 3, 0]])  # 0 -> c, c -> 3 (an edge of client 3's row? no: of c)
    ids = graph.edge_ids(path, torch.zeros(1, dtype=torch.long))[0]
    assert int(graph.targets[0, ids[0]]) == int(rows[2, 1])
    assert int(graph.targets[0, ids[2]]) == 0 and int(graph.sources[ids[2]]) == 3


def test_bad_k_is_refused_and_large_k_capped():
    with pytest.raises(InputError, match="k >= 2"):
        knn_graph(CostSource(coords=torch.rand(1, 10, 2)), k=1)
    with pytest.raises(InputError, match="k >= 2"):
        build_policy("deepaco", "tsp", {"k": 0})
    assert effective_k(None, 20) == 19 and effective_k(None, 200) == 50 and effective_k(8, 5) == 4


@pytest.mark.slow
def test_deepaco_search_memory_is_linear_in_n_times_k(tmp_path):
    """Graph, GNN, sampling, 2-opt and pheromone of one search iteration at n = 250 and n = 1,000:
    the largest tensor grows like n (k fixed), and stays far below one n x n matrix."""
    kwargs = {"k": 10, "embed_dim": 8, "num_layers": 2, "heatmap_layers": 2}
    path = tmp_path / "tiny.pt"
    save_policy(path, build_policy("deepaco", "tsp", kwargs), policy_metadata("tsp", 100, "deepaco", kwargs))
    largest = {}
    for n in (250, 1000):
        inst = instances_from_batch("tsp", generate_dataset("tsp", 1, n, seed=n))[0]
        solver = AcoSolver(checkpoint=path, ants=4, max_iterations=1)
        solver.solve(inst)  # compile and load outside the measurement
        with LargestTensor() as probe:
            sol = solver.solve(inst, time_limit=60)
        assert sol.feasible
        largest[n] = probe.largest
    assert largest[1000] < 1000 * 1000 / 4
    assert largest[1000] / largest[250] < 6  # linear: 4; quadratic: 16
