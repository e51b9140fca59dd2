"""Training from Hydra configs with rl4co models and Lightning: `ncorouting train experiment=...`."""

from __future__ import annotations

from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from lightning import Trainer, seed_everything
from lightning.pytorch.callbacks import ModelCheckpoint, TQDMProgressBar
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
from omegaconf import DictConfig, OmegaConf
from rl4co.utils.trainer import RL4COTrainer

from ncorouting import resources
from ncorouting.envs import get_env_class
from ncorouting.errors import InputError
from ncorouting.models.checkpoint import PolicyMetadataCallback, load_policy, policy_metadata, save_policy
from ncorouting.models.zoo import build_policy, get_model
from ncorouting.training.curves import plot_learning_curve


class ResumableTrainer(RL4COTrainer):
    """rl4co's trainer, able to resume: its `fit` does not forward `weights_only`, and our checkpoints
    pickle the rl4co environment in their hyperparameters, which torch's weights-only loading refuses."""

    def fit(self, model, ckpt_path: str | None = None) -> None:
        if not model.automatic_optimization:
            self.gradient_clip_val = None  # as RL4COTrainer.fit does for PPO-style models
        Trainer.fit(self, model, ckpt_path=ckpt_path, weights_only=False if ckpt_path else None)


def load_config(overrides: list[str], config_dir: Path | None = None) -> DictConfig:
    """Compose `train.yaml` with command-line overrides (Hydra syntax: key=value, group=option)."""
    with initialize_config_dir(config_dir=str(config_dir or resources.config_dir()), version_base="1.3"):
        return compose(config_name="train", overrides=overrides)


def build_env(cfg: DictConfig):
    """The environment named by `cfg.env.name`, with its generator parameters."""
    params = OmegaConf.to_container(cfg.env.generator, resolve=True)
    return get_env_class(cfg.env.name)(generator_params=params)


def build_model(cfg: DictConfig, env):
    """The rl4co Lightning module for `cfg.model`, with an explicitly built (and recorded) policy."""
    spec = get_model(cfg.model.name)
    policy_kwargs = {**spec.policy_defaults, **OmegaConf.to_container(cfg.model.policy_kwargs, resolve=True)}
    policy = build_policy(cfg.model.name, env.name, policy_kwargs)
    model_kwargs = OmegaConf.to_container(cfg.model.kwargs, resolve=True)
    data = OmegaConf.to_container(cfg.data, resolve=True)
    optim = OmegaConf.to_container(cfg.optimizer, resolve=True)
    model = spec.lit_class(env, policy=policy, **data, optimizer_kwargs=optim, **model_kwargs)
    return model, policy_kwargs


def init_weights(model, cfg: DictConfig) -> dict:
    """Start from a trained policy's weights (e.g. TSP20 weights for a TSP50 run): same problem and
    model, any size; returns where they came from, for the exported policy's metadata."""
    source, meta = load_policy(cfg.init_from, problem=cfg.env.name, allow_other_size=True)
    if meta["model"] != cfg.model.name:
        raise InputError(f"init_from={cfg.init_from}: a '{meta['model']}' policy cannot start a '{cfg.model.name}' run")
    try:
        model.policy.load_state_dict(source.state_dict())
    except RuntimeError as exc:
        raise InputError(f"init_from={cfg.init_from}: its weights do not fit this run's policy ({exc})") from None
    return {"init_from": str(cfg.init_from), "init_from_num_loc": meta["num_loc"]}


def train(cfg: DictConfig) -> Path:
    """Train, checkpoint and export the policy; returns the exported `.pt` path."""
    if cfg.threads:
        torch.set_num_threads(int(cfg.threads))
    seed_everything(cfg.seed, workers=True)
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(cfg, out / "config.yaml", resolve=True)

    env = build_env(cfg)
    model, policy_kwargs = build_model(cfg, env)
    origin = init_weights(model, cfg) if cfg.init_from else {}
    meta = policy_metadata(cfg.env.name, cfg.env.generator.num_loc, cfg.model.name, policy_kwargs, **origin)
    checkpoints = ModelCheckpoint(
        dirpath=out / "checkpoints",
        filename="epoch{epoch:03d}",
        auto_insert_metric_name=False,
        monitor="val/reward",
        mode="max",
        save_top_k=1,
        save_last=True,
    )
    trainer_kwargs = OmegaConf.to_container(cfg.trainer, resolve=True)
    trainer = ResumableTrainer(
        callbacks=[checkpoints, PolicyMetadataCallback(meta), TQDMProgressBar(refresh_rate=cfg.progress_refresh)],
        logger=[CSVLogger(out, name="logs", version=""), TensorBoardLogger(out, name="tb", version="")],
        default_root_dir=out,
        **trainer_kwargs,
    )
    ckpt_path = cfg.resume
    if ckpt_path == "last":
        ckpt_path = str(out / "checkpoints" / "last.ckpt")
    trainer.fit(model, ckpt_path=ckpt_path)

    policy_path = out / "policy.pt"
    if trainer.is_global_zero:
        meta.update(global_step=trainer.global_step, epoch=trainer.current_epoch)
        save_policy(policy_path, model.policy, meta)
        metrics_csv = out / "logs" / "metrics.csv"
        if metrics_csv.is_file():
            plot_learning_curve(metrics_csv, out / "learning_curve.png", title=cfg.name)
        print(f"exported policy to {policy_path}")
    return policy_path
