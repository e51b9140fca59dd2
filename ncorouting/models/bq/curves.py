"""Learning curves of BQ imitation runs: training loss and accuracy per logged step, greedy validation
gap to the expert per validation, from Lightning's CSV log.

    python -m ncorouting.models.bq.curves runs/tsp50_bq/logs/metrics.csv docs/img/bq_tsp50_curve.png
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_series(metrics_csv: str | Path, keys: tuple[str, ...]) -> dict[str, list[tuple[int, float]]]:
    """(step, value) pairs of each key that the log holds."""
    series: dict[str, list[tuple[int, float]]] = {k: [] for k in keys}
    with open(metrics_csv) as fh:
        for row in csv.DictReader(fh):
            for key in keys:
                if row.get(key):
                    series[key].append((int(row["step"]), float(row[key])))
    return series


def plot_imitation_curve(metrics_csv: str | Path, png: str | Path, title: str = "") -> None:
    """Two panels: cross-entropy and expert-move accuracy; greedy validation gap (%)."""
    s = read_series(metrics_csv, ("train/loss", "train/accuracy", "val/gap_pct"))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"wspace": 0.45})
    if s["train/loss"]:
        left.plot(*zip(*s["train/loss"], strict=True), lw=0.8, label="cross-entropy (batch)")
    twin = left.twinx()
    if s["train/accuracy"]:
        twin.plot(*zip(*s["train/accuracy"], strict=True), lw=0.8, color="tab:orange", label="accuracy (batch)")
    left.set_xlabel("training step")
    left.set_ylabel("cross-entropy")
    twin.set_ylabel("share of expert moves ranked first")
    left.legend(loc="upper left")
    twin.legend(loc="upper right")
    if s["val/gap_pct"]:
        right.plot(*zip(*s["val/gap_pct"], strict=True), "o-")
    right.set_xlabel("training step")
    right.set_ylabel("greedy gap to the expert,\nheld-out instances (%)")
    right.grid(alpha=0.3)
    fig.suptitle(title)
    fig.savefig(png, dpi=110, bbox_inches="tight")
    plt.close(fig)


if __name__ == "__main__":
    plot_imitation_curve(sys.argv[1], sys.argv[2], title=sys.argv[3] if len(sys.argv) > 3 else "")
