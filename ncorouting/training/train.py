"""Training from Hydra configs with rl4co models and Lightning: `ncorouting train experiment=...`."""

from __future__ import annotations

from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from lightning import Trainer, seed_everything
from lightning.pytorch.callbacks import ModelCheckpoint, TQDMProgressBar
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from rl4co.utils.trainer import RL4COTrainer

from ncorouting import resources
from ncorouting.envs import get_env_class
from ncorouting.errors import InputError
from ncorouting.models.checkpoint import PolicyMetadataCallback, load_policy, policy_metadata, save_policy
from ncorouting.models.zoo import build_policy, get_model
from ncorouting.training.curves import plot_learning_curve
from ncorouting.training.quiet import quiet_third_party


class ResumableTrainer(RL4COTrainer):
    """rl4co's trainer, able to resume: its `fit` does not forward `weights_only`, and our checkpoints
    pickle the rl4co environment in their hyperparameters, which torch's weights-only loading refuses."""

    def fit(self, model, ckpt_path: str | None = None) -> None:
        if not model.automatic_optimization:
            self.gradient_clip_val = None  # as RL4COTrainer.fit does for PPO-style models
        Trainer.fit(self, model, ckpt_path=ckpt_path, weights_only=False if ckpt_path else None)


def config_options(group: str, user_dir: Path | None = None) -> list[str]:
    """The options of a config group (ours and a user's `--config-dir`), e.g. the experiments
    `ncorouting train experiment=NAME` takes."""
    folders = [resources.config_dir() / group] + ([Path(user_dir) / group] if user_dir else [])
    return sorted({p.stem for folder in folders for p in folder.glob("*.yaml")})


def load_config(overrides: list[str], user_dir: Path | None = None) -> DictConfig:
    """Compose `train.yaml` with command-line overrides (Hydra syntax: key=value, group=option);
    `user_dir` is searched too (a user's own experiments, envs, ... beside ours). An unknown
    experiment, group option or key is an `InputError` naming it."""
    for override in overrides:
        group, _, option = override.partition("=")
        if group in ("experiment", "env", "model", "trainer") and option not in config_options(group, user_dir):
            raise InputError(
                f"unknown {group} '{option}'; known: {', '.join(config_options(group, user_dir))}",
                source=f"override {override}",
            )
    if user_dir is not None:
        if not Path(user_dir).is_dir():
            raise InputError("config folder not found", source=str(user_dir))
        overrides = [*overrides, f"hydra.searchpath=[file://{Path(user_dir).resolve()}]"]
    try:
        with initialize_config_dir(config_dir=str(resources.config_dir()), version_base="1.3"):
            return compose(config_name="train", overrides=overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        message = str(exc).splitlines()[0]
        hint = " (unknown key: use +KEY=VALUE to add one)" if "Could not override" in message else ""
        raise InputError(f"bad training override: {message}{hint}") from None


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
    """Start from a trained policy's weights (e.g. TSP20 weights for a TSP50 run): same problem, any size,
    the same model or one this model lists as a warm start (e.g. POMO for SymNCO, whose extra layers then
    start fresh); returns where they came from, for the exported policy's metadata."""
    source, meta = load_policy(cfg.init_from, problem=cfg.env.name, allow_other_size=True)
    same = meta["model"] == cfg.model.name
    if not same and meta["model"] not in get_model(cfg.model.name).warm_starts:
        raise InputError(f"init_from={cfg.init_from}: a '{meta['model']}' policy cannot start a '{cfg.model.name}' run")
    try:
        result = model.policy.load_state_dict(source.state_dict(), strict=same)
    except RuntimeError as exc:
        raise InputError(f"init_from={cfg.init_from}: its weights do not fit this run's policy ({exc})") from None
    if result.unexpected_keys or len(result.missing_keys) == len(model.policy.state_dict()):
        raise InputError(f"init_from={cfg.init_from}: its weights do not fit this run's policy")
    origin = {"init_from": str(cfg.init_from), "init_from_num_loc": meta["num_loc"]}
    return origin if same else {**origin, "init_from_model": meta["model"]}


def resume_checkpoint(cfg: DictConfig) -> str | None:
    """The Lightning checkpoint `resume` names ("last": the run folder's last.ckpt); an error when absent."""
    if not cfg.resume:
        return None
    path = Path(cfg.output_dir) / "checkpoints" / "last.ckpt" if cfg.resume == "last" else Path(cfg.resume)
    if not path.is_file():
        raise InputError(f"resume={cfg.resume}: no checkpoint at {path} (no earlier run there?); train without resume")
    return str(path)


def train(cfg: DictConfig) -> Path:
    """Train, checkpoint and export the policy; returns the exported `.pt` path."""
    with quiet_third_party():
        return _train(cfg)


def _train(cfg: DictConfig) -> Path:
    ckpt_path = resume_checkpoint(cfg)
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
