"""Route plots (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ncorouting.errors import InputError  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ncorouting.solution import Solution


def plot_solution(solution: Solution, ax: Axes | None = None, path: str | Path | None = None) -> Axes:
    """Plot every route in its own colour (with a fleet: each vehicle's routes in that vehicle's colour, with a
    legend), the depot as a red square."""
    inst = solution.instance
    if inst.coords is None:
        raise InputError("has no node coordinates to plot (explicit distance matrix)", source=inst.name)
    own_figure = ax is None
    if own_figure:
        _, ax = plt.subplots(figsize=(6, 6))
    xy = inst.coords
    cmap = plt.get_cmap("tab20" if solution.vehicles is None else "tab10")  # tab10: vehicles far apart in hue
    labelled: set[int] = set()
    for k, route in enumerate(solution.routes):
        path_xy = xy[[0, *route, 0]]
        colour = k if solution.vehicles is None else solution.vehicles[k]
        label = None
        if solution.vehicles is not None and colour not in labelled:
            label, _ = f"vehicle {colour}", labelled.add(colour)
        ax.plot(path_xy[:, 0], path_xy[:, 1], "-", color=cmap(colour % cmap.N), lw=1.3, label=label)
    if labelled:
        ax.legend(fontsize=7, loc="best")
    ax.scatter(xy[1:, 0], xy[1:, 1], s=14, c="k", zorder=3)
    ax.scatter(xy[:1, 0], xy[:1, 1], s=70, c="red", marker="s", zorder=4)
    status = f"cost {solution.cost:.4g}" if solution.feasible else f"INFEASIBLE: {solution.reason}"
    gap = solution.gap
    gap_txt = f", gap {gap:.2f}%" if gap is not None else ""
    gap_txt += "".join(f", {name.replace('_', ' ')} {value:.4g}" for name, value in (solution.terms or {}).items())
    ax.set_title(f"{inst.name} - {solution.solver}: {status}{gap_txt}", fontsize=9)
    ax.set_aspect("equal", adjustable="datalim")
    if path is not None:
        ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    if own_figure and path is not None:
        plt.close(ax.figure)
    return ax
