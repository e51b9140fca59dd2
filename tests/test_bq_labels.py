"""BQ-NCO label files (built by our LKH-3 / HGS, cached, refused when corrupt or mismatched) and the
training states made from them (suffixes, CVRP routes by leftover capacity, via-depot flags)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from ncorouting.cli import main
from ncorouting.errors import InputError
from ncorouting.models.bq.labels import LabelRequest, cached_labels, load_labels, routes_from_arrays
from ncorouting.models.bq.trajectories import cvrp_trajectories, suffix_states, tsp_trajectories

TSP = LabelRequest("tsp", 8, 6, "lkh", seed=3, time_limit=1.0, max_trials=8)
CVRP = LabelRequest("cvrp", 7, 4, "hgs", seed=3, time_limit=0.05)


@pytest.fixture(scope="module")
def label_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labels")
    paths = {}
    for req in (TSP, CVRP):
        _, paths[req.problem], cached = cached_labels(req, folder / f"{req.problem}.npz")
        assert not cached
    return paths


def rewrite(src, dst, **changes) -> None:
    with np.load(src) as blob:
        arrays = {k: blob[k] for k in blob.files}
    arrays.update(changes)
    np.savez(dst, **arrays)


@pytest.mark.slow
def test_labels_load_reuse_and_reproduce(label_files, tmp_path):
    tsp = load_labels(label_files["tsp"], problem="tsp", size=8)
    assert tsp.request == TSP and len(tsp) == 6
    assert sorted(tsp.solutions["tour"][0].tolist()) == list(range(8))
    labels, _, cached = cached_labels(TSP, label_files["tsp"])
    assert cached and np.array_equal(labels.costs, tsp.costs)
    rebuilt, _, _ = cached_labels(TSP, tmp_path / "again.npz")  # same seed: same instances, same LKH tours
    assert np.array_equal(rebuilt.instances["locs"].numpy(), tsp.instances["locs"].numpy())
    assert np.allclose(rebuilt.costs, tsp.costs)


@pytest.mark.slow
def test_corrupt_or_mismatched_label_files_are_refused(label_files, tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(label_files["tsp"].read_bytes()[:200])
    with pytest.raises(InputError, match="not a readable label file"):
        load_labels(broken)
    with pytest.raises(InputError, match="labels are for tsp, not cvrp"):
        load_labels(label_files["tsp"], problem="cvrp")
    with pytest.raises(InputError, match="labels are for tsp8, not size 50"):
        load_labels(label_files["tsp"], size=50)
    tour = load_labels(label_files["tsp"]).solutions["tour"].copy()
    tour[2, 3] = tour[2, 4]
    rewrite(label_files["tsp"], tmp_path / "dup.npz", tour=tour)
    with pytest.raises(InputError, match="label 2 is not a feasible tsp solution: node .* visited 2 times"):
        load_labels(tmp_path / "dup.npz")
    cost = load_labels(label_files["tsp"]).costs.copy()
    cost[1] *= 0.9
    rewrite(label_files["tsp"], tmp_path / "cost.npz", cost=cost)
    with pytest.raises(InputError, match="label 1 costs .* but the file says"):
        load_labels(tmp_path / "cost.npz")
    rewrite(label_files["cvrp"], tmp_path / "shape.npz", demand=np.zeros((4, 6)))
    with pytest.raises(InputError, match="array 'demand' has shape"):
        load_labels(tmp_path / "shape.npz")
    shutil.copy(label_files["tsp"], tmp_path / "other.npz")
    other = LabelRequest("tsp", 8, 7, "lkh", seed=3, time_limit=1.0, max_trials=8)
    with pytest.raises(InputError, match="exists with other parameters"):
        cached_labels(other, tmp_path / "other.npz")


@pytest.mark.slow
def test_bq_data_cli(label_files, tmp_path, capsys):
    out = tmp_path / "cli.npz"
    shutil.copy(label_files["cvrp"], out)
    args = ["bq-data", "--problem", "cvrp", "--size", "7", "--num-instances", "4", "--solver", "hgs", "--seed", "3"]
    assert main([*args, "--time-limit", "0.05", "--out", str(out)]) == 0
    assert "reused cached 4 cvrp7 labels by hgs" in capsys.readouterr().out
    assert main([*args, "--time-limit", "0.1", "--out", str(out)]) == 2
    assert "exists with other parameters" in capsys.readouterr().err
    assert main(["bq-data", "--problem", "tsp", "--solver", "hgs", "--out", str(tmp_path / "x.npz")]) == 2
    assert "solver 'hgs' cannot label tsp" in capsys.readouterr().err


@pytest.mark.slow
def test_cvrp_trajectories_sort_routes_and_mark_reloads(label_files):
    labels = load_labels(label_files["cvrp"])
    traj = cvrp_trajectories(labels)
    demand = labels.instances["demand"].numpy()
    for row in range(len(labels)):
        routes = routes_from_arrays("cvrp", labels.solutions, row)
        loads = sorted((float(demand[row][np.asarray(r) - 1].sum()) for r in routes), reverse=True)
        via = traj["via"][row, 1:-1].numpy()
        starts = np.flatnonzero(via)
        assert len(starts) == len(routes)  # one reload flag per route, at its first client
        ends = [*starts[1:], len(via)]
        route_loads = [float(traj["demand"][row, 1 + s : 1 + e].sum()) for s, e in zip(starts, ends, strict=True)]
        assert np.allclose(route_loads, loads, atol=1e-5)  # fullest route first
        # capacity left after each client: full at a route start, minus the demands served since
        left = traj["capacity_left"][row, 1:-1].numpy()
        q = traj["demand"][row, 1:-1].numpy()
        assert np.allclose(left[starts], 1 - q[starts], atol=1e-5)
    (tokens,), allowed, target = suffix_states(traj, "cvrp", traj["xy"].size(1))
    assert tokens.shape == (4, 9, 4) and target.tolist() == [1, 1, 1, 1]  # the first move starts a route
    assert not allowed[..., 0].any()  # at the depot only 'via depot' is offered


@pytest.mark.slow
def test_tsp_suffix_states_put_the_expert_move_first(label_files):
    labels = load_labels(label_files["tsp"])
    traj = tsp_trajectories(labels)
    assert traj["xy"].shape == (6, 9, 2)
    assert torch.equal(traj["xy"][:, 0], traj["xy"][:, -1])  # the tour returns to its start
    (tokens,), allowed, target = suffix_states(traj, "tsp", 5)
    xy = traj["xy"][:, -5:]
    span = (xy.amax(1) - xy.amin(1)).amax(-1)
    assert torch.allclose(tokens, (xy - xy.amin(1, keepdim=True)) / span[:, None, None])
    assert allowed.shape == (6, 3, 1) and target.eq(0).all()
