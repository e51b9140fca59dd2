"""CAMP and its sequential peer: the pointer reads only the agent's own profile, both decode feasibly at
any fleet size, train from the Hydra configs (also on sizes sampled per batch) and load as solvers."""

import numpy as np
import pytest
import torch

from ncorouting.envs import make_env
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.models.camp.curves import plot_pvrp_curves, read_metrics
from ncorouting.models.camp.policy import CAMPPolicy
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.seq_am.policy import SeqAMPolicy
from ncorouting.solvers import get_solver
from ncorouting.training.train import load_config, train

TINY = [
    "env.generator.num_loc=8",
    "data.batch_size=4",
    "data.train_data_size=8",
    "data.val_data_size=4",
    "data.val_batch_size=4",
    "model.policy_kwargs.embed_dim=32",
    "model.policy_kwargs.num_heads=4",
    "model.policy_kwargs.num_encoder_layers=1",
    "trainer.max_epochs=1",
    "progress_refresh=1",
]


def test_each_agent_points_into_its_own_profile():
    """Keys, values and logit keys of agent k are computed from h[:, k] alone."""
    torch.manual_seed(0)
    decoder = CAMPPolicy(embed_dim=32, num_heads=4, num_encoder_layers=1).decoder
    h = torch.randn(2, 3, 9, 32)
    before = decoder.precompute(h)
    h[:, 1] += 1.0
    after = decoder.precompute(h)
    for name in ("keys", "values", "logit_keys", "at_node"):
        old, new = getattr(before, name), getattr(after, name)
        assert torch.equal(old[:, [0, 2]], new[:, [0, 2]]) and not torch.equal(old[:, 1], new[:, 1]), name


@pytest.mark.parametrize("policy_cls", [CAMPPolicy, SeqAMPolicy])
@pytest.mark.parametrize("problem", ["pvrp_p", "pvrp_zc"])
def test_untrained_policies_decode_feasibly_at_other_sizes(policy_cls, problem):
    """One policy for any n and m: greedy and sampled rollouts pass the environment's validity check."""
    torch.manual_seed(1)
    policy = policy_cls(problem, embed_dim=32, num_heads=4, num_encoder_layers=1)
    for n, m in [(6, 2), (15, 5)]:
        env = make_env(problem, n, num_agents=m)
        td = env.reset(env.generator(batch_size=[8]))
        for decode_type in ("greedy", "sampling"):
            out = policy(td.clone(), env, phase="test", decode_type=decode_type)
            env.check_solution_validity(td, out["actions"])
            assert out["actions"].shape[:2] == (8, m) and torch.isfinite(out["log_likelihood"]).all()
            assert torch.allclose(
                out["reward"], -((1 - td["alpha"]) * out["travel_time"] - td["alpha"] * out["preference"])
            )


@pytest.mark.slow
@pytest.mark.parametrize(
    "experiment, extra",
    [
        ("pvrp_p_camp", ["model.kwargs.sample_sizes={num_loc: [5, 9], num_agents: [2, 4]}"]),
        ("pvrp_zc_seq_am", []),
    ],
)
def test_trains_from_hydra_config_and_solves(tmp_path, experiment, extra):
    cfg = load_config([f"experiment={experiment}", f"output_dir={tmp_path}", *TINY, *extra])
    policy_path = train(cfg)
    policy, meta = load_policy(policy_path, problem=cfg.env.name, num_loc=8)
    assert meta["model"] == cfg.model.name and meta["global_step"] == 2
    instances = instances_from_batch(cfg.env.name, generate_dataset(cfg.env.name, 5, 8, seed=1))
    solutions = get_solver(cfg.model.name, checkpoint=str(policy_path)).solve_many(instances)
    assert all(s.feasible for s in solutions) and all(s.vehicles for s in solutions)


@pytest.mark.parametrize("problem", ["pvrp_p", "pvrp_zc"])
def test_shipped_camp_beats_nearest_neighbour(problem):
    """The shipped CAMP policy (loaded without a checkpoint flag), best of 8 augmentations, on 100 new
    instances of its training size: feasible everywhere and better than nearest neighbour on average."""
    instances = instances_from_batch(problem, generate_dataset(problem, 100, 20, seed=99))
    camp = get_solver("camp").solve_many(instances)
    nearest = get_solver("nearest").solve_many(instances)
    assert all(s.feasible for s in camp)
    assert np.mean([s.cost for s in camp]) < np.mean([s.cost for s in nearest])


def test_learning_curves_plot(tmp_path):
    metrics = tmp_path / "metrics.csv"
    metrics.write_text(
        "epoch,step,train/reward,val/reward,val/max_aug_reward,val/travel_time,val/preference\n"
        "0,9,-6.0,,,,\n0,99,,-4.0,-3.5,7.0,9.0\n1,109,-4.5,,,,\n"
    )
    series = read_metrics(metrics)
    assert series["train/reward"] == [(9, -6.0), (109, -4.5)] and series["val/max_aug_reward"] == [(99, -3.5)]
    plot_pvrp_curves(metrics, tmp_path / "curve.png", "test")
    assert (tmp_path / "curve.png").stat().st_size > 1000
