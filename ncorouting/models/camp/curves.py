"""Learning curves of a PVRP training run from Lightning's CSV log: the objective J (minus the reward) and
its two terms, per training step.

    python -m ncorouting.models.camp.curves runs/pvrp_p20_camp/logs/metrics.csv docs/img/curve.png "title"
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_metrics(metrics_csv: str | Path) -> dict[str, list[tuple[int, float]]]:
    """Every logged metric as (step, value) pairs."""
    series: dict[str, list[tuple[int, float]]] = {}
    with open(metrics_csv) as fh:
        for row in csv.DictReader(fh):
            for key, value in row.items():
                if key not in ("epoch", "step") and value:
                    series.setdefault(key, []).append((int(row["step"]), float(value)))
    return series


def plot_pvrp_curves(metrics_csv: str | Path, png: str | Path, title: str = "") -> None:
    """Left: J of training samples (mean over the 8 augmentations) and of greedy validation (mean, and best
    of 8 augmentations). Right: validation travel time and preference."""
    series = read_metrics(metrics_csv)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label, style in [
        ("train/reward", "train: sampled, mean of x8", "-"),
        ("val/reward", "validation: greedy, mean of x8", "o-"),
        ("val/max_aug_reward", "validation: greedy, best of x8", "s-"),
    ]:
        if key in series:
            steps, values = zip(*series[key], strict=True)
            left.plot(steps, [-v for v in values], style, lw=0.9, ms=3, label=label)
    left.set_ylabel("objective J (lower is better)")
    for key, label in [("val/travel_time", "travel time"), ("val/preference", "preference")]:
        if key in series:
            right.plot(*zip(*series[key], strict=True), "o-", ms=3, label=f"validation {label} (mean of x8)")
    right.set_ylabel("per instance")
    for ax in (left, right):
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.savefig(png, dpi=110, bbox_inches="tight")
    plt.close(fig)


if __name__ == "__main__":
    plot_pvrp_curves(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
