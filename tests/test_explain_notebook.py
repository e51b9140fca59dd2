"""The route-explainer notebook runs green and saves its figures (executed with nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explain_routes.ipynb"
FIGURES = ["cvrp_q1", "cvrp_q1_differences", "cvrp_q2", "cvrptw_q1", "cvrptw_q1_differences", "cvrptw_q2"]


@pytest.mark.slow
def test_explain_notebook_runs_and_saves_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLAIN_FIGURES", str(tmp_path / "figures"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    for name in FIGURES:
        assert (tmp_path / "figures" / f"{name}.png").stat().st_size > 5_000, name
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "not possible: capacity" in text and "not possible: time window" in text
