"""Train the edge classifier from a config with Lightning: Adam, class-balanced loss, the epoch with
the best validation macro-F1 kept; then scored against the rule annotator on the held-out routes and
exported with its metrics.

    python -m ncorouting.explain.ec_train ec_cvrp20 [key=value ...]
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import torch
from lightning import LightningModule, Trainer, seed_everything
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger
from omegaconf import DictConfig, OmegaConf
from torch.utils.data import DataLoader

from ncorouting.errors import InputError
from ncorouting.explain.classifier import EdgeClassifier, class_balanced_loss, macro_f1
from ncorouting.explain.ec_data import load_config, samples
from ncorouting.explain.ec_features import RouteSample, collate
from ncorouting.instance import Instance

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FORMAT = "ncorouting-edge-classifier/1"


class EdgeClassifierModule(LightningModule):
    """Lightning wrapper: class-balanced training loss, macro-F1 on validation; the learning rate drops by
    `lr_factor` when validation macro-F1 has not risen for more than `lr_patience` epochs."""

    def __init__(
        self, num_classes: int, model_kwargs: dict, lr: float, beta: float, lr_factor: float = 1.0, lr_patience: int = 1
    ):
        super().__init__()
        self.save_hyperparameters()
        self.model = EdgeClassifier(num_classes, **model_kwargs)
        self._val: list[tuple[torch.Tensor, torch.Tensor]] = []

    def training_step(self, batch, _):
        loss = class_balanced_loss(self.model(batch), batch["labels"], batch["edge_mask"], self.hparams.beta)
        self.log("train/loss", loss, prog_bar=True, batch_size=batch["labels"].size(0))
        return loss

    def validation_step(self, batch, _):
        predicted = self.model(batch).argmax(-1)
        self._val.append((predicted[batch["edge_mask"]].cpu(), batch["labels"][batch["edge_mask"]].cpu()))

    def on_validation_epoch_end(self) -> None:
        predicted, truth = (torch.cat(x) for x in zip(*self._val, strict=True))
        self.log("val/macro_f1", macro_f1(predicted, truth), prog_bar=True)
        self._val.clear()

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        if self.hparams.lr_factor >= 1.0:
            return optimizer
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="max", factor=self.hparams.lr_factor, patience=self.hparams.lr_patience
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": plateau, "monitor": "val/macro_f1"}}


def load_datasets(paths: str | Sequence[str]) -> dict:
    """One `ec_data` file, or several (shards made with different seeds) joined: classes and the annotator's
    settings must agree."""
    paths = [paths] if isinstance(paths, str) else list(paths)
    joined: dict = {}
    for path in paths:
        data = torch.load(path, weights_only=False)
        if "train_instances" not in data:
            raise InputError(f"{path}: not an edge-classifier dataset of this version; rebuild it with ec_data")
        if "annotator" not in data:
            raise InputError(
                f"{path}: labelled by an earlier rule annotator (its capacity relaxation was OR-Tools stopped after "
                "50 solutions); rebuild it with ec_data"
            )
        if joined and tuple(data["classes"]) != tuple(joined["classes"]):
            raise InputError(f"{path}: classes {data['classes']} differ from {joined['classes']} of {paths[0]}")
        if joined and data["annotator"] != joined["annotator"]:
            raise InputError(f"{path}: labelled by annotator {data['annotator']}, {paths[0]} by {joined['annotator']}")
        if not joined:
            joined = {
                "problem": data["problem"],
                "classes": tuple(data["classes"]),
                "annotator": data["annotator"],
                "datasets": [],
            }
        joined["datasets"].append(data["config"]["dataset"])
        for part in ("train", "test"):
            shift = len(joined.get(f"{part}_instances", []))
            joined.setdefault(f"{part}_instances", []).extend(data[f"{part}_instances"])
            joined.setdefault(part, []).extend({**r, "instance": r["instance"] + shift} for r in data[part])
    return joined


def split_by_instance(
    instances: Sequence[Instance], records: list[dict], share: float, seed: int
) -> tuple[list[dict], list[dict]]:
    """Validation and training records on disjoint instances, told apart by name (an instance's solution
    and its counterfactual have alike routes, so a split by route would overstate validation scores)."""
    keys = sorted({instances[r["instance"]].name for r in records})
    order = torch.randperm(len(keys), generator=torch.Generator().manual_seed(seed)).tolist()
    held = {keys[i] for i in order[: max(1, int(len(keys) * share))]}
    val = [r for r in records if instances[r["instance"]].name in held]
    return val, [r for r in records if instances[r["instance"]].name not in held]


@torch.inference_mode()
def evaluate(model: EdgeClassifier, routes: list[RouteSample], classes: tuple[str, ...]) -> dict:
    """Macro-F1, per-class F1 and accuracy against the rule labels, and the classifier's speed."""
    from sklearn.metrics import f1_score

    model.eval()
    predicted, truth = [], []
    start = time.perf_counter()
    for i in range(0, len(routes), 512):
        batch = collate(routes[i : i + 512])
        predicted.append(model(batch).argmax(-1)[batch["edge_mask"]])
        truth.append(batch["labels"][batch["edge_mask"]])
    seconds = time.perf_counter() - start
    predicted, truth = torch.cat(predicted), torch.cat(truth)
    per_class = f1_score(truth, predicted, labels=list(range(len(classes))), average=None, zero_division=0)
    return {
        "macro_f1": macro_f1(predicted, truth),
        "f1_per_class": dict(zip(classes, (float(x) for x in per_class), strict=True)),
        "accuracy": float((predicted == truth).float().mean()),
        "label_shares": {c: float((truth == k).float().mean()) for k, c in enumerate(classes)},
        "routes": len(routes),
        "edges": int(truth.numel()),
        "seconds": seconds,
        "routes_per_second": len(routes) / seconds,
    }


def plot_curve(metrics_csv: Path, png: Path, title: str) -> None:
    """Training loss per logged step and validation macro-F1 per epoch."""
    loss, f1 = [], []
    with open(metrics_csv) as fh:
        for row in csv.DictReader(fh):
            if row.get("train/loss"):
                loss.append((int(row["step"]), float(row["train/loss"])))
            if row.get("val/macro_f1"):
                f1.append((int(row["step"]), float(row["val/macro_f1"])))
    fig, ax = plt.subplots(figsize=(7, 4))
    if loss:
        ax.plot(*zip(*loss, strict=True), lw=0.8, label="train loss (class-balanced CE)")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    if f1:
        right = ax.twinx()
        right.plot(*zip(*f1, strict=True), "o-", color="tab:green", label="validation macro-F1")
        right.set_ylabel("macro-F1")
        right.legend(loc="lower right")
    ax.legend(loc="upper right")
    ax.set_title(title)
    fig.savefig(png, dpi=110, bbox_inches="tight")
    plt.close(fig)


def train(cfg: DictConfig) -> Path:
    """Train on the config's dataset; export `<out>/edge_classifier.pt` with held-out metrics."""
    if cfg.threads:
        torch.set_num_threads(int(cfg.threads))
    seed_everything(cfg.seed, workers=True)
    data_files = list(cfg.data) if OmegaConf.is_list(cfg.data) else [cfg.data]
    data = load_datasets(data_files)
    classes, instances = tuple(data["classes"]), data["train_instances"]
    val_records, train_records = split_by_instance(instances, data["train"], cfg.train.val_share, cfg.seed)
    val = samples(instances, val_records, "features, validation")
    train_set = samples(instances, train_records, "features, training")
    model_kwargs = OmegaConf.to_container(cfg.model, resolve=True)
    module = EdgeClassifierModule(
        len(classes), model_kwargs, cfg.train.lr, cfg.train.beta, cfg.train.lr_factor, cfg.train.lr_patience
    )
    out = Path(cfg.out)
    best = ModelCheckpoint(dirpath=out / "checkpoints", monitor="val/macro_f1", mode="max", save_top_k=1)
    trainer = Trainer(
        accelerator="cpu",
        precision="32-true",
        max_epochs=cfg.train.max_epochs,
        max_time=cfg.train.max_time,
        callbacks=[best],
        logger=CSVLogger(out, name="logs", version=""),
        log_every_n_steps=5,
        enable_model_summary=False,
    )
    loader = DataLoader(train_set, batch_size=cfg.train.batch_size, shuffle=True, collate_fn=collate)
    trainer.fit(module, loader, DataLoader(val, batch_size=512, collate_fn=collate))
    module = EdgeClassifierModule.load_from_checkpoint(best.best_model_path, weights_only=False)
    metrics = evaluate(module.model, samples(data["test_instances"], data["test"], "features, held out"), classes)
    blob = {
        "format": FORMAT,
        "problem": data["problem"],
        "classes": classes,
        "model_kwargs": model_kwargs,
        "state_dict": module.model.state_dict(),
        "test_metrics": metrics,
        "training": {
            "train_routes": len(train_set),
            "val_routes": len(val),
            "best_val_macro_f1": float(best.best_model_score),
            "epochs": trainer.current_epoch,
            "steps": trainer.global_step,
            "datasets": data["datasets"],
            "annotator": data["annotator"],
            "data_files": data_files,
            "train_instances": len({instances[r["instance"]].name for r in train_records}),
        },
    }
    path = out / "edge_classifier.pt"
    torch.save(blob, path)
    plot_curve(out / "logs" / "metrics.csv", out / "learning_curve.png", f"edge classifier, {data['problem']}")
    print(f"wrote {path}; held-out macro-F1 {metrics['macro_f1']:.4f} on {metrics['edges']} edges")
    return path


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    train(load_config(argv[0], argv[1:]))


if __name__ == "__main__":
    main()
