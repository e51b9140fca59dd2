"""The RRNCO policy's pieces, training from the experiment configs (tiny), and RRNCO/MatNet as solvers."""

from __future__ import annotations

import pytest
import torch
from test_realworld import write_grid_osm

from ncorouting.models.checkpoint import load_policy
from ncorouting.models.rrnco.embedding import neighbour_distances
from ncorouting.models.rrnco.encoder import attention_free
from ncorouting.training.train import load_config, train

TINY = [
    "env.generator.num_loc=8",
    "env.generator.city_points=40",
    "data.batch_size=4",
    "data.train_data_size=8",
    "data.val_data_size=4",
    "data.val_batch_size=4",
    "model.policy_kwargs.embed_dim=16",
    "model.policy_kwargs.num_heads=2",
    "model.policy_kwargs.num_encoder_layers=1",
    "progress_refresh=1",
]


def test_neighbour_distances_are_sorted_and_never_the_node_itself():
    torch.manual_seed(0)
    dist = torch.rand(3, 30, 30) + 0.01
    dist[:, torch.arange(30), torch.arange(30)] = 0.0
    rows, cols = neighbour_distances(dist, 25)
    assert rows.shape == cols.shape == (3, 30, 25)
    assert (rows.diff(dim=-1) >= 0).all() and (cols.diff(dim=-1) >= 0).all()
    assert (rows > 0).all() and (cols > 0).all()  # the zero diagonal is never drawn
    small_rows, _ = neighbour_distances(dist[:, :10, :10], 25)  # fewer nodes than neighbours: with replacement
    assert small_rows.shape == (3, 10, 25) and (small_rows > 0).all()


def test_attention_free_layer_equals_the_paper_formula():
    torch.manual_seed(1)
    q, k, v = torch.randn(2, 5, 4), torch.randn(2, 7, 4), torch.randn(2, 7, 4)
    bias = torch.randn(2, 5, 7)
    expected = torch.sigmoid(q) * (bias.exp() @ (k.exp() * v)) / (bias.exp() @ k.exp())
    assert torch.allclose(attention_free(q, k, v, bias), expected, atol=1e-5)
    assert torch.isfinite(attention_free(q, k * 100, v, bias * 100)).all()  # no overflow


@pytest.mark.slow
@pytest.mark.parametrize("experiment", ["atsp50_rrnco", "atsp50_matnet", "acvrp50_rrnco", "acvrptw50_rrnco"])
def test_experiments_train_on_city_matrices_and_export(tmp_path, experiment):
    osm = write_grid_osm(tmp_path / "grid.osm")
    overrides = [f"experiment={experiment}", "trainer.max_epochs=1", f"output_dir={tmp_path}", *TINY]
    overrides.append(f"env.generator.cities=[{osm}]")
    if "matnet" in experiment:
        overrides = [o for o in overrides if "num_encoder_layers" not in o]
    policy_path = train(load_config(overrides))
    cfg = load_config(overrides)
    _, meta = load_policy(policy_path, problem=cfg.env.name, num_loc=8)
    assert meta["model"] == cfg.model.name and meta["global_step"] >= 1
    assert (tmp_path / "learning_curve.png").is_file()
