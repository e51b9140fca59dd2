"""Learning-curve plot from Lightning's CSV log."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_learning_curve(metrics_csv: str | Path, png: str | Path, title: str = "") -> None:
    """Train reward per logged step and validation reward per epoch, against the training step."""
    train, val = [], []
    with open(metrics_csv) as fh:
        for row in csv.DictReader(fh):
            step = int(row["step"])
            if row.get("train/reward"):
                train.append((step, float(row["train/reward"])))
            if row.get("val/reward"):
                val.append((step, float(row["val/reward"])))
    fig, ax = plt.subplots(figsize=(7, 4))
    if train:
        ax.plot(*zip(*train, strict=True), lw=0.8, alpha=0.6, label="train reward (batch mean)")
    if val:
        ax.plot(*zip(*val, strict=True), "o-", label="validation reward (mean of all x8 aug x starts rollouts)")
    ax.set_xlabel("training step")
    ax.set_ylabel("reward = minus tour length")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.savefig(png, dpi=110, bbox_inches="tight")
    plt.close(fig)
