"""Edge-classifier training pipeline from its config: labelled shards joined, validation on held-out
instances, a classifier file that the annotator loads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ncorouting.errors import InputError
from ncorouting.explain.annotate import RuleAnnotator
from ncorouting.explain.classifier_annotator import load_classifier
from ncorouting.explain.ec_data import build_dataset, load_config, samples
from ncorouting.explain.ec_features import STATE_DIM
from ncorouting.explain.ec_train import load_datasets, split_by_instance, train


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Two tiny CVRP10 shards of different seeds (HGS solutions, neural counterfactuals)."""
    root = tmp_path_factory.mktemp("ec")
    paths = []
    for seed in (7, 8):
        cfg = load_config(
            "ec_cvrp20",
            [
                "dataset.num_loc=10",
                "dataset.num_instances=4",
                "dataset.test_instances=2",
                f"dataset.seed={seed}",
                "dataset.solvers=[{name: hgs, time_limit: 0.05}]",
            ],
        )
        paths.append(str(root / f"shard{seed}.pt"))
        torch.save(build_dataset(cfg), paths[-1])
    return root, paths


def test_dataset_keeps_routes_and_labels_and_features_come_from_them(shards):
    """Every record points at its instance, has one label per edge, and becomes a classifier input of the
    current features."""
    data = torch.load(shards[1][0], weights_only=False)
    assert data["train"] and data["test"]
    for r in data["train"]:
        assert len(r["labels"]) == len(r["route"]) + 1 and set(r["labels"]) <= {0, 1}
        assert set(r["route"]) <= set(range(1, data["train_instances"][r["instance"]].num_nodes))
    routes = samples(data["train_instances"], data["train"])
    assert all(s.state.shape == (len(s.labels), STATE_DIM) for s in routes)


def test_shards_join_with_instance_indices_shifted(shards):
    """Joined shards keep each record on its own instance; a validation split never shares an instance (a
    solution and its counterfactual count as one)."""
    one = [torch.load(p, weights_only=False) for p in shards[1]]
    joined = load_datasets(shards[1])
    assert len(joined["train"]) == sum(len(d["train"]) for d in one)
    shift = len(one[0]["train_instances"])
    second = joined["train"][len(one[0]["train"]) :]
    assert [r["instance"] - shift for r in second] == [r["instance"] for r in one[1]["train"]]
    first_of_second = one[1]["train_instances"][one[1]["train"][0]["instance"]]
    np.testing.assert_array_equal(joined["train_instances"][second[0]["instance"]].distances, first_of_second.distances)
    val, rest = split_by_instance(joined["train_instances"], joined["train"], 0.25, seed=0)
    names = [{joined["train_instances"][r["instance"]].name for r in part} for part in (val, rest)]
    assert val and rest and not names[0] & names[1]


def test_old_or_foreign_dataset_is_refused(tmp_path, shards):
    """A dataset without route records (an older format), one labelled by the earlier annotator, and shards
    labelled with different annotator settings are each named with a clear error."""
    torch.save({"problem": "cvrp", "classes": ("length", "capacity"), "train": [], "test": []}, tmp_path / "old.pt")
    with pytest.raises(InputError, match="old.pt: not an edge-classifier dataset of this version"):
        load_datasets([str(tmp_path / "old.pt")])
    data = torch.load(shards[1][0], weights_only=False)
    assert data["annotator"] == RuleAnnotator().settings
    torch.save({k: v for k, v in data.items() if k != "annotator"}, tmp_path / "earlier.pt")
    with pytest.raises(InputError, match="earlier.pt: labelled by an earlier rule annotator"):
        load_datasets([str(tmp_path / "earlier.pt")])
    torch.save({**data, "annotator": {**data["annotator"], "iterations": 1}}, tmp_path / "other.pt")
    with pytest.raises(InputError, match="other.pt: labelled by annotator"):
        load_datasets([shards[1][0], str(tmp_path / "other.pt")])


def test_training_from_config_writes_a_loadable_classifier(tmp_path, shards):
    """Two epochs on the joined shards: a classifier file with held-out metrics that the annotator loads."""
    cfg = load_config(
        "ec_cvrp20",
        [
            f"data=[{shards[1][0]},{shards[1][1]}]",
            f"out={tmp_path / 'ec'}",
            "train.max_epochs=2",
            "train.val_share=0.25",
            "model.embed_dim=16",
            "model.num_heads=2",
            "model.ff_dim=16",
        ],
    )
    path = train(cfg)
    model, blob = load_classifier(path, "cvrp")
    metrics = blob["test_metrics"]
    assert 0.0 <= metrics["macro_f1"] <= 1.0 and metrics["edges"] > 0
    assert blob["training"]["train_instances"] > 0 and len(blob["training"]["data_files"]) == 2
    assert [d["seed"] for d in blob["training"]["datasets"]] == [7, 8]
    assert blob["training"]["annotator"] == RuleAnnotator().settings
    assert (tmp_path / "ec" / "learning_curve.png").stat().st_size > 0
