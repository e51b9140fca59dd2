"""Pictures of an explanation: the actual and the counterfactual solution side by side (edges coloured
by intention, the questioned edges drawn thick and ringed), and a bar chart of the differences."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ncorouting.errors import InputError  # noqa: E402
from ncorouting.explain.facts import Facts, SolutionFacts  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ncorouting.explain.api import Explanation
    from ncorouting.solution import Solution

#: One colour per intention class, shared by every problem.
INTENTION_COLOURS = {
    "length": "tab:blue",
    "capacity": "tab:orange",
    "time window": "tab:green",
    "preference": "tab:purple",
    "zone": "tab:brown",
}
UNLABELLED = "tab:gray"
HIGHLIGHT = "crimson"


def _draw(ax: Axes, solution: Solution, facts: SolutionFacts, title: str, other_target: int | None, route: int) -> None:
    """One solution: routes by intention colour (the questioned route thicker), the questioned edge
    highlighted and its head ringed; the other side's choice ringed dashed."""
    xy = solution.instance.coords
    for r, nodes in enumerate(solution.routes):
        path = [0, *nodes, 0]
        labels = facts.intentions[r] if facts.intentions else [None] * (len(path) - 1)
        style = {"arrowstyle": "-|>", "lw": 2.2 if r == route else 1.0}
        for (a, b), label in zip(zip(path[:-1], path[1:], strict=True), labels, strict=True):
            colour = INTENTION_COLOURS.get(label, UNLABELLED)
            ax.annotate("", xy=xy[b], xytext=xy[a], arrowprops={**style, "color": colour})
    edge = facts.edge
    ax.plot(*xy[[edge.source, edge.target]].T, color=HIGHLIGHT, lw=5, alpha=0.35, zorder=2, solid_capstyle="round")
    ax.scatter(*xy[1:].T, s=16, c="k", zorder=3)
    ax.scatter(*xy[0], s=80, c="red", marker="s", zorder=4)
    ax.scatter(*xy[edge.target], s=160, facecolors="none", edgecolors=HIGHLIGHT, lw=2, zorder=5)
    if other_target is not None and other_target != edge.target:
        ax.scatter(*xy[other_target], s=160, facecolors="none", edgecolors="k", lw=1.5, ls="--", zorder=5)
    for v in range(1, len(xy)):
        ax.annotate(str(v), xy[v], xytext=(3, 3), textcoords="offset points", fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.set_aspect("equal", adjustable="datalim")


def _legend(fig: Figure, classes: tuple[str, ...]) -> None:
    handles = [Line2D([], [], color=INTENTION_COLOURS.get(c, UNLABELLED), lw=2, label=c) for c in classes]
    handles.append(Line2D([], [], color=HIGHLIGHT, lw=5, alpha=0.35, label="questioned edge"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)


def plot_explanation(explanation: Explanation, path: str | Path | None = None) -> Figure:
    """Actual and counterfactual side by side (the actual alone, with the impossible alternative
    marked, when there is no counterfactual)."""
    facts = explanation.facts
    if explanation.actual.instance.coords is None:
        raise InputError("has no node coordinates to plot", source=facts.instance)
    q = facts.question
    panels = 1 if explanation.counterfactual is None else 2
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 6.4), squeeze=False)
    actual = facts.actual
    title = f"actual ({actual.solver}): cost {actual.total_cost:.4g}"
    _draw(axes[0, 0], explanation.actual, actual, title, q.alternative, q.route)
    if explanation.counterfactual is not None:
        cf = facts.counterfactual
        delta = facts.differences["total_cost"]
        title = f"counterfactual ({facts.resolver}): cost {cf.total_cost:.4g} ({delta:+.4g})"
        _draw(axes[0, 1], explanation.counterfactual, cf, title, actual.edge.target, q.route)
    else:
        axes[0, 0].set_xlabel(f"alternative {q.alternative} impossible: {facts.reason}", fontsize=8, wrap=True)
    fig.suptitle(f"{facts.instance}: route {q.route}, step {q.step}: why {actual.edge.target}, not {q.alternative}?")
    _legend(fig, facts.classes)
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    if path is not None:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    return fig


#: Bars of the difference chart: (facts key, label).
BARS = [
    ("edge_cost", "edge cost"),
    ("edge_arrival", "service start"),
    ("route_cost", "route cost"),
    ("total_cost", "total cost"),
    ("routes", "routes"),
    ("waiting", "waiting"),
    ("unserved", "unserved"),
]


def plot_differences(facts: Facts, path: str | Path | None = None, ax: Axes | None = None) -> Axes:
    """Counterfactual minus actual, one bar per compared value (red: the alternative is worse)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    diffs = facts.differences
    bars = [(label, diffs[key]) for key, label in BARS if key in diffs]
    labels, values = [b[0] for b in bars], [b[1] for b in bars]
    ax.bar(labels, values, color=["crimson" if v > 0 else "seagreen" for v in values])
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("counterfactual - actual")
    ax.set_title(f"{facts.instance}: route {facts.question.route}, step {facts.question.step}", fontsize=9)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    if path is not None:
        ax.figure.savefig(path, dpi=110, bbox_inches="tight")
    return ax
