"""`ncorouting text2code` and `ncorouting text2code-bench` end to end: the whole benchmark against the HTTP
stub (not an LLM) printing feasibility, optimality and efficiency; single tasks; bad input."""

from __future__ import annotations

import json
import re

import pytest
from llm_stub import STUB_MODEL, stub_server

from ncorouting.cli import main
from ncorouting.llm.client import ENV_VARS
from ncorouting.llm.tasks import load_benchmark, reference_program


@pytest.fixture(autouse=True)
def no_configured_endpoint(monkeypatch):
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)


def _row(out: str, name: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(name + " "))


@pytest.mark.slow
def test_whole_benchmark_against_the_http_stub(tmp_path, capsys):
    results, plot = tmp_path / "results.json", tmp_path / "scores.png"
    with stub_server() as server:
        argv = ["text2code-bench", "--base-url", server.base_url, "--model", "asked-model", "--rounds", "2"]
        status = main([*argv, "--workers", "2", "--quiet", "--out", str(results), "--plot", str(plot)])
    out = capsys.readouterr().out
    assert status == 0
    assert f"model(s) reported: {STUB_MODEL}" in out and "not an LLM" in out
    assert len([line for line in out.splitlines() if re.match(r"(?!single|multi)\w+-(5|10) ", line)]) == 31
    # columns: task paradigm trials F@0 O@0 E@0 F O E rounds llm_calls errors
    assert _row(out, "sop-10")[3:9] == ["100%"] * 6  # right at once
    assert _row(out, "btsp-5")[3:9] == ["0%", "0%", "0%", "100%", "100%", "100%"]  # crash, then fixed
    assert _row(out, "msop-10")[3:9] == ["0%", "0%", "0%", "100%", "100%", "100%"]  # infeasible, then fixed
    assert _row(out, "mdtsp-10")[6:9] == ["0%", "0%", "0%"]  # never right
    tsp = _row(out, "tsp-10")  # feasible but not optimal
    assert tsp[3] == tsp[6] == "100%" and tsp[4] == "0%" and 0 < int(tsp[5].rstrip("%")) < 100
    assert _row(out, "all")[2:4] == ["31", "55%"]
    doc = json.loads(results.read_text())
    assert doc["models"] == [STUB_MODEL] and len(doc["trials"]) == 31 and doc["prompt_hashes"]
    assert plot.stat().st_size > 10_000


def test_text2code_on_a_task_of_a_benchmark_type(tmp_path, capsys):
    task = next(t for t in load_benchmark(["tsptw"], [5]))
    instance = tmp_path / "visits.json"
    instance.write_text(json.dumps({"type": "tsptw", **task.instance}))
    out_dir = tmp_path / "out"
    with stub_server() as server:
        argv = ["text2code", task.description, "--instance", str(instance), "--base-url", server.base_url]
        status = main([*argv, "--model", "m", "--rounds", "2", "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert status == 0
    assert "round 0: run ok; our checker: INFEASIBLE (time windows" in out and "self-check failed" in out
    assert "round 1: run ok; our checker: feasible" in out
    assert f"final (our checker): feasible, cost {task.optimum:.4f}" in out
    assert json.loads((out_dir / "answer.json").read_text())["tours"][0][0] == 0
    assert (out_dir / "program.py").read_text() == reference_program("tsptw")


def test_text2code_on_an_ncorouting_instance_with_scripted_replies(tmp_path, capsys):
    instance = tmp_path / "square.json"
    instance.write_text(json.dumps({"problem": "tsp", "coords": [[0, 0], [1, 0], [1, 1], [0, 1]]}))
    program = 'import json\nprint(json.dumps({"tours": [[0, 1, 2, 3, 0]], "cost": %s}))\n'
    replies = tmp_path / "replies.json"
    for cost, status, verdict in [(4.0, 0, "feasible, cost 4.0000"), (3.0, 1, "INFEASIBLE: cost: reported cost 3")]:
        replies.write_text(json.dumps(["```python\n" + program % cost + "```"]))
        argv = ["text2code", "visit the four corners", "--instance", str(instance), "--backend", "scripted"]
        out_dir = tmp_path / f"out{cost}"
        code = main([*argv, "--script", str(replies), "--rounds", "0", "--no-self-verify", "--out", str(out_dir)])
        out = capsys.readouterr().out
        assert code == status and f"final (our checker): {verdict}" in out
        assert "scripted replay of replies.json (not an LLM)" in out
        assert (out_dir / "answer.json").exists() == (status == 0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["text2code-bench"], "no LLM endpoint configured"),
        (["text2code-bench", "--types", "tsq"], "unknown task type 'tsq'"),
        (["text2code-bench", "--base-url", "http://x/v1", "--model", "m", "--paradigms", "code:gurobi"], "paradigm"),
        (["text2code-bench", "--backend", "scripted"], "--script"),
        (["text2code", "words", "--instance", "missing.json"], "file not found"),
    ],
)
def test_bad_input_is_a_clear_error(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"coords": [[0, 0], [1, 1]]}, '"type"'),
        ({"type": "tsptw", "coords": [[0, 0], [1, 1]]}, "needs the field 'time_windows'"),
        ({"type": "tsptw", "coords": [[0, 0], [1, 1]], "time_windows": [[0, 9]]}, "one entry per city"),
        ({"type": "sop", "coords": [[0, 0], [1, 1]], "precedence": [[1, 7]]}, "malformed 'sop' instance"),
    ],
)
def test_bad_task_files_name_their_fault(doc, message, tmp_path, capsys):
    path = tmp_path / "task.json"
    path.write_text(json.dumps(doc))
    assert main(["text2code", "words", "--instance", str(path), "--base-url", "http://x/v1", "--model", "m"]) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err
