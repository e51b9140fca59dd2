"""Training from Hydra configs: a few steps of each model, checkpoints, resume and 2-process DDP."""

import os
import subprocess
import sys

import pytest
import torch

from ncorouting.errors import CheckpointError, InputError
from ncorouting.models.checkpoint import load_policy
from ncorouting.models.inference import shipped_checkpoint
from ncorouting.training.train import build_env, build_model, init_weights, load_config, train

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = [
    "env.generator.num_loc=8",
    "data.batch_size=16",
    "data.train_data_size=32",
    "data.val_data_size=16",
    "data.val_batch_size=16",
    "progress_refresh=1",
]


@pytest.mark.slow
@pytest.mark.parametrize("experiment", ["tsp20_pomo", "cvrp20_pomo", "tsp20_am", "tsp20_am_ppo", "cvrp100_symnco"])
def test_each_model_trains_and_exports(tmp_path, experiment):
    cfg = load_config([f"experiment={experiment}", "trainer.max_epochs=1", f"output_dir={tmp_path}", *TINY])
    policy_path = train(cfg)
    policy, meta = load_policy(policy_path, problem=cfg.env.name, num_loc=8)
    assert meta["model"] == cfg.model.name and meta["global_step"] >= 1
    assert (tmp_path / "logs" / "metrics.csv").is_file()
    assert (tmp_path / "learning_curve.png").is_file()
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file()
    # the Lightning checkpoint carries the same metadata and loads the same weights
    from_ckpt, meta_ckpt = load_policy(tmp_path / "checkpoints" / "last.ckpt", problem=cfg.env.name)
    assert meta_ckpt["problem"] == cfg.env.name
    for (name, a), (_, b) in zip(policy.state_dict().items(), from_ckpt.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


@pytest.mark.slow
def test_resume_continues_from_last_checkpoint(tmp_path):
    common = ["experiment=tsp20_pomo", f"output_dir={tmp_path}", *TINY]
    train(load_config([*common, "trainer.max_steps=2"]))
    train(load_config([*common, "trainer.max_steps=4", "resume=last"]))
    _, meta = load_policy(tmp_path / "policy.pt")
    assert meta["global_step"] == 4


def test_init_from_starts_a_larger_run_with_trained_weights():
    """Curriculum: the shipped TSP20 policy starts a TSP50 run; its metadata says where it came from."""
    cfg = load_config(["experiment=tsp50_pomo", f"init_from={shipped_checkpoint('pomo', 'tsp', 20)}"])
    model, _ = build_model(cfg, build_env(cfg))
    origin = init_weights(model, cfg)
    source, _ = load_policy(cfg.init_from)
    assert origin["init_from_num_loc"] == 20
    for (name, a), (_, b) in zip(model.policy.state_dict().items(), source.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


def test_symnco_starts_from_pomo_weights_with_a_fresh_projection_head():
    """SymNCO's policy is POMO's plus a projection head: the POMO weights load, the head starts fresh."""
    cfg = load_config(["experiment=tsp100_symnco"])
    model, _ = build_model(cfg, build_env(cfg))
    origin = init_weights(model, cfg)
    source, _ = load_policy(cfg.init_from)
    assert origin["init_from_model"] == "pomo" and origin["init_from_num_loc"] == 100
    own = model.policy.state_dict()
    for name, weight in source.state_dict().items():
        assert torch.equal(own[name], weight), name
    assert any(name.startswith("projection_head.") for name in own)


def test_init_from_refuses_another_problem_or_model():
    tsp20 = shipped_checkpoint("pomo", "tsp", 20)
    cfg = load_config(["experiment=cvrp20_pomo", f"init_from={tsp20}"])
    with pytest.raises(CheckpointError, match="trained for problem 'tsp', not 'cvrp'"):
        init_weights(build_model(cfg, build_env(cfg))[0], cfg)
    cfg = load_config(["experiment=tsp20_am", f"init_from={tsp20}"])
    with pytest.raises(InputError, match="a 'pomo' policy cannot start a 'am' run"):
        init_weights(build_model(cfg, build_env(cfg))[0], cfg)


def test_overrides_reach_the_config():
    cfg = load_config(["experiment=cvrp20_pomo", "optimizer.lr=3e-4", "trainer=gpu", "env.generator.num_loc=50"])
    assert cfg.env.name == "cvrp" and cfg.model.name == "pomo"
    assert cfg.optimizer.lr == 3e-4 and cfg.trainer.accelerator == "gpu"
    assert cfg.name == "cvrp50_pomo"


@pytest.mark.slow
def test_ddp_two_cpu_processes(tmp_path):
    """Lightning DDP (gloo) with 2 CPU processes through the CLI, a few steps."""
    cmd = [
        sys.executable,
        "-m",
        "ncorouting",
        "train",
        "experiment=tsp20_pomo",
        "trainer=ddp",
        "trainer.max_steps=3",
        f"output_dir={tmp_path}",
        *TINY,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Initializing distributed: GLOBAL_RANK: 1, MEMBER: 2/2" in proc.stderr + proc.stdout
    _, meta = load_policy(tmp_path / "policy.pt")
    assert meta["global_step"] == 3
