"""Routes drawn on the map: solutions side by side on longitude/latitude, the city's streets faintly
beneath (stops joined by straight lines; the roads between them are not stored)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402

from ncorouting.errors import InputError  # noqa: E402
from ncorouting.solution import Solution  # noqa: E402


def draw_streets(ax, streets: np.ndarray) -> None:
    """Street segments [S, 2, 2] (lon, lat) in light grey."""
    if len(streets):
        ax.add_collection(LineCollection(streets, colors="0.75", linewidths=0.6, zorder=0))


def draw_routes(ax, solution: Solution) -> None:
    """Each route in its own colour with arrows for the driving direction; the depot a red square."""
    inst = solution.instance
    xy = inst.coords
    cmap = plt.get_cmap("tab20")
    closed = inst.problem in ("tsp", "atsp")
    for k, route in enumerate(solution.routes):
        stops = [0, *route, 0]
        colour = cmap(k % 20)
        for a, b in zip(stops[:-1], stops[1:], strict=True):
            ax.annotate(
                "", xy=xy[b], xytext=xy[a], arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.0, "shrinkA": 0}
            )
    ax.scatter(xy[:, 0], xy[:, 1], s=10, c="k", zorder=3)
    if not closed:
        ax.scatter(xy[:1, 0], xy[:1, 1], s=60, c="red", marker="s", zorder=4)
    status = f"{solution.cost:.3f} km" if solution.feasible else f"INFEASIBLE: {solution.reason}"
    ax.set_title(f"{solution.solver}: {status}, {len(solution.routes)} route(s), {solution.runtime:.2f} s", fontsize=9)


def plot_on_map(solutions: Sequence[Solution], streets: np.ndarray, path: str | Path, attribution: str = "") -> Path:
    """One panel per solution (same instance), streets beneath; saved as PNG with the map attribution."""
    if not solutions:
        raise InputError("nothing to plot: no solutions")
    inst = solutions[0].instance
    if inst.coords is None:
        raise InputError("has no coordinates to draw on a map", source=inst.name)
    fig, axes = plt.subplots(1, len(solutions), figsize=(6 * len(solutions), 6), squeeze=False)
    low, high = inst.coords.min(0), inst.coords.max(0)
    pad = 0.05 * (high - low).max()
    for ax, sol in zip(axes[0], solutions, strict=True):
        draw_streets(ax, streets)
        draw_routes(ax, sol)
        ax.set_xlim(low[0] - pad, high[0] + pad)
        ax.set_ylim(low[1] - pad, high[1] + pad)
        ax.set_aspect(1 / math.cos(math.radians(float(inst.coords[:, 1].mean()))))  # degrees of lon vs lat
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
    fig.suptitle(inst.name, fontsize=10)
    if attribution:
        fig.text(0.01, 0.005, attribution.split(". ")[0] + ".", fontsize=7, color="0.4")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
