"""Fuzzing `solve` with random mutations of valid TSPLIB, CVRPLIB and JSON files: every run either
succeeds with a solution the checker accepts or ends with exit code 2 and an `error:` line, and
nothing is ever written outside `--out`. Bounded to well under a minute."""

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_input import CVRP, TSP

from ncorouting.cli import main
from ncorouting.envs.tsp.checker import tour_to_routes
from ncorouting.io import read_instance, read_tour
from ncorouting.io.vrplib_files import read_vrplib_solution
from ncorouting.solution import Solution

JSON_DOC = {"problem": "cvrp", "name": "j", "coords": [[0, 0], [1, 0], [0, 1], [1, 1]], "demands": [0, 2, 3, 4],
            "capacity": 5}  # fmt: skip
ODD_VALUES = ["", "abc", "nan", "-1", "0", "1e300", "99999999999", "3.5", "-", ":", "EOF", "1 2 3 4 5"]
JSON_ODD = [None, "ten", -3, 0, 1e300, [], {}, [[0]], True, "nan", [1, 2], [[0, 0], [1e9, 1e9]]]

line_edit = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 40)),
    st.tuples(st.just("duplicate"), st.integers(0, 40)),
    st.tuples(st.just("swap"), st.integers(0, 40), st.integers(0, 40)),
    st.tuples(st.just("token"), st.integers(0, 40), st.integers(0, 4), st.sampled_from(ODD_VALUES)),
    st.tuples(st.just("truncate"), st.integers(0, 40)),
)
json_edit = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(sorted(JSON_DOC))),
    st.tuples(st.just("set"), st.sampled_from(sorted(JSON_DOC)), st.sampled_from(JSON_ODD)),
    st.tuples(st.just("shorten"), st.sampled_from(["coords", "demands"])),
    st.tuples(st.just("lengthen"), st.sampled_from(["coords", "demands"])),
)


def mutate_lines(text: str, edits) -> str:
    lines = text.splitlines()
    for edit in edits:
        if not lines:
            break
        i = edit[1] % len(lines)
        if edit[0] == "drop":
            del lines[i]
        elif edit[0] == "duplicate":
            lines.insert(i, lines[i])
        elif edit[0] == "swap":
            j = edit[2] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif edit[0] == "token":
            tokens = lines[i].split() or [""]
            tokens[edit[2] % len(tokens)] = edit[3]
            lines[i] = " ".join(tokens)
        else:
            lines[i] = " ".join(lines[i].split()[:-1])
    return "\n".join(lines) + "\n"


def mutate_json(edits) -> str:
    doc = json.loads(json.dumps(JSON_DOC))
    for edit in edits:
        if edit[0] == "delete":
            doc.pop(edit[1], None)
        elif edit[0] == "set":
            doc[edit[1]] = edit[2]
        elif isinstance(doc.get(edit[1]), list) and doc[edit[1]]:
            doc[edit[1]] = doc[edit[1]][:-1] if edit[0] == "shorten" else doc[edit[1]] + doc[edit[1]][-1:]
    return json.dumps(doc)


def solve_and_judge(name: str, text: str) -> None:
    """Run `solve`; accept only a checked feasible solution (exit 0) or a clean error (exit 2)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / name
        path.write_text(text)
        out = root / "out"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(["solve", str(path), "--solver", "ortools", "--time-limit", "0.05", "--no-plot",
                             "--out", str(out)])  # fmt: skip
            except SystemExit as stop:
                code = stop.code
        outside = [p for p in root.rglob("*") if p != path and out not in p.parents and p != out]
        assert not outside, outside
        if code == 2:
            assert "error:" in err.getvalue()
            assert not out.exists()
            return
        assert code == 0, err.getvalue()
        instance = read_instance(path)
        (written,) = list(out.iterdir())
        routes = tour_to_routes(read_tour(written)) if written.suffix == ".tour" else read_vrplib_solution(written)
        assert Solution.from_routes(instance, routes, "check", 0.0).feasible


SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize="FUZZ_EXAMPLES" not in os.environ,
)


@SETTINGS
@given(st.lists(line_edit, min_size=1, max_size=4))
def test_fuzz_tsplib(edits):
    solve_and_judge("fuzz.tsp", mutate_lines(TSP, edits))


@SETTINGS
@given(st.lists(line_edit, min_size=1, max_size=4))
def test_fuzz_cvrplib(edits):
    solve_and_judge("fuzz.vrp", mutate_lines(CVRP, edits))


@SETTINGS
@given(st.lists(json_edit, min_size=1, max_size=3))
def test_fuzz_json(edits):
    solve_and_judge("fuzz.json", mutate_json(edits))
