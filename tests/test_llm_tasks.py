"""The text-to-code benchmark: 21 types, stored optima that brute force and OR-Tools confirm, a reference
program per type that our checker accepts at the optimum, and wrong programs it rejects by name."""

from __future__ import annotations

import itertools
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from llm_wrong_programs import WRONG_PROGRAMS

from ncorouting.instance import Instance, distances_from_coords
from ncorouting.llm.checkers import judge, judge_typed
from ncorouting.llm.sandbox import Limits, Sandbox, run_program
from ncorouting.llm.tasks import BENCHMARK_FILE, TASK_TYPES, exact, load_benchmark, reference_program
from ncorouting.llm.tasks.build import build_task
from ncorouting.llm.tasks.generate import generate_instance
from ncorouting.solvers import get_solver

TASKS = load_benchmark()
BY_ID = {t.id: t for t in TASKS}
SANDBOX = Sandbox(Limits(cpu_seconds=20, wall_seconds=60))


def test_benchmark_holds_the_21_types_in_three_settings():
    assert {t.task_type.key for t in TASKS} == set(TASK_TYPES) and len(TASK_TYPES) == 21
    settings = [t.setting for t in TASKS]
    assert (settings.count("single-5"), settings.count("single-10"), settings.count("multi-10")) == (10, 10, 11)
    assert set(exact.BOTTLENECK_TYPES) == {k for k, t in TASK_TYPES.items() if t.objective == "bottleneck"}
    for task in TASKS:
        assert set(task.instance) == set(task.task_type.fields) | ({"energy_budget"} if "energy" in task.id else set())
        assert json.dumps(task.instance.get("coords", "-")) not in task.description  # values stay in the file


@pytest.mark.slow
@pytest.mark.parametrize("task_id", ["tsp-5", "tsptw-10", "mdtsp-10", "mtpp-10", "cmtsp-10"])
def test_stored_tasks_are_what_the_builder_makes(task_id):
    task = BY_ID[task_id]
    rebuilt = build_task(task.task_type, task.extra["size"])
    stored = next(e for e in json.loads(BENCHMARK_FILE.read_text())["tasks"] if e["id"] == task_id)
    assert rebuilt == stored


def _closed_candidates(cities: list[int], robots: int, choose: range):
    """Every split of every ordered selection of cities into `robots` non-empty depot-to-depot tours."""
    for size in choose:
        for order in itertools.permutations(cities, size):
            for cuts in itertools.combinations(range(1, size), robots - 1):
                bounds = [0, *cuts, size]
                yield {"tours": [[0, *order[a:b], 0] for a, b in itertools.pairwise(bounds)], "cost": 0}


def _walks(start: int, nodes: range, max_len: int, ends: set[int]):
    """Every node sequence from `start` of up to `max_len` moves without standing still, ending in `ends`."""
    frontier = [[start]]
    for _ in range(max_len):
        frontier = [w + [v] for w in frontier for v in nodes if v != w[-1]]
        yield from ({"tours": [w], "cost": 0} for w in frontier if w[-1] in ends)


def candidates(task_type, inst: dict):
    """All answers worth trying on a small instance; brute force judged by our checker alone."""
    n = len(inst.get("coords", inst.get("distance_matrix", [])))
    robots = inst.get("robots", 1)
    if task_type.has("matrix"):
        return _walks(0, range(n), n + 2, {0})
    if task_type.has("depots") and robots == 1:
        return _walks(inst["depots"][0], range(n), n + 2, set(inst["depots"]))
    if task_type.has("depots"):  # one customer per robot: any end depot
        customers = [v for v in range(n) if v not in inst["depots"]]
        return (
            {"tours": [[inst["depots"][r], c, e] for r, (c, e) in enumerate(zip(order, ends, strict=True))], "cost": 0}
            for order in itertools.permutations(customers)
            for ends in itertools.product(inst["depots"], repeat=robots)
        )
    selective = task_type.has("groups") or task_type.has("k") or task_type.has("purchase")
    return _closed_candidates(list(range(1, n)), robots, range(robots, n) if selective else range(n - 1, n))


def brute_force(task_type, inst: dict) -> float | None:
    """The least objective over every candidate our checker accepts (with the cost it recomputes)."""
    best = None
    for answer in candidates(task_type, inst):
        verdict = judge_typed(task_type, inst, answer)
        if verdict.cost is not None and (verdict.feasible or [v.constraint for v in verdict.violations] == ["cost"]):
            best = verdict.cost if best is None else min(best, verdict.cost)
    return best


@pytest.mark.slow
@pytest.mark.parametrize("task_id", [t.id for t in TASKS if t.extra["size"] == 5])
def test_exact_optimum_matches_brute_force_on_5_nodes(task_id):
    task = BY_ID[task_id]
    assert brute_force(task.task_type, task.instance) == pytest.approx(task.optimum, abs=1e-9)


#: Multi-robot types small enough to enumerate: node counts (4 depots + 4 customers for multi-depot).
SMALL_MULTI = {"mtsp": 6, "bmtsp": 6, "gmtsp": 7, "kmtsp": 6, "mtsptw": 6, "mtpp": 6, "cmtsp": 6, "mdmtsp_no": 8}


@pytest.mark.slow
@pytest.mark.parametrize("key", list(SMALL_MULTI))
def test_exact_min_max_partition_matches_brute_force(key):
    task_type = TASK_TYPES[key]
    for seed in range(20):
        inst = generate_instance(task_type, SMALL_MULTI[key], np.random.default_rng(seed))
        if task_type.has("k"):
            inst["k"] = 5
        try:
            optimum = exact.solve(inst, key)["cost"]
        except ValueError:
            assert brute_force(task_type, inst) is None  # both agree there is no answer
            continue
        assert brute_force(task_type, inst) == pytest.approx(optimum, abs=1e-9)
        return
    pytest.fail(f"no feasible small {key} instance in 20 seeds")


@pytest.mark.slow
@pytest.mark.parametrize("task_id", ["tsp-10", "tsptw-10"])
def test_ortools_reaches_the_stored_optimum(task_id):
    task = BY_ID[task_id]
    coords = np.asarray(task.instance["coords"], dtype=float)
    windows = task.instance.get("time_windows")
    instance = Instance(
        "tsp", distances_from_coords(coords), coords=coords, time_windows=None if windows is None else np.array(windows)
    )
    solution = get_solver("ortools").solve(instance, time_limit=1.0)
    assert solution.feasible and solution.cost == pytest.approx(task.optimum, rel=1e-9)


WRONG = [(key, k) for key, programs in WRONG_PROGRAMS.items() for k in range(len(programs))]


@pytest.fixture(scope="module")
def sandboxed_answers() -> dict:
    """Every reference program on every task and every wrong program on every task of its type, run in
    the sandbox two at a time (the runs are child processes): (program key, task id) -> RunResult."""
    jobs = {("reference", t.id): (reference_program(t.task_type.key), t) for t in TASKS}
    for key, index in WRONG:
        for task in (t for t in TASKS if t.task_type.key == key):
            jobs[(f"{key}-{index}", task.id)] = (WRONG_PROGRAMS[key][index].program(key), task)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(run_program, SANDBOX, program, task.instance) for name, (program, task) in jobs.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("task_id", list(BY_ID))
def test_reference_program_passes_our_checker_at_the_optimum(task_id, sandboxed_answers):
    task = BY_ID[task_id]
    run = sandboxed_answers[("reference", task_id)]
    assert run.verdict == "ok", run.detail
    verdict = judge(task, run.answer)
    assert verdict.feasible, verdict.reason
    assert verdict.cost == pytest.approx(task.optimum, rel=1e-9)


def test_every_type_has_at_least_two_wrong_programs():
    assert set(WRONG_PROGRAMS) == set(TASK_TYPES)
    assert all(len(programs) >= 2 for programs in WRONG_PROGRAMS.values())


@pytest.mark.parametrize(("key", "index"), WRONG, ids=[f"{k}-{WRONG_PROGRAMS[k][i].breaks}-{i}" for k, i in WRONG])
def test_wrong_program_is_rejected_with_the_broken_constraint_named(key, index, sandboxed_answers):
    wrong = WRONG_PROGRAMS[key][index]
    for task in (t for t in TASKS if t.task_type.key == key):
        run = sandboxed_answers[(f"{key}-{index}", task.id)]
        assert run.verdict == "ok", run.detail
        verdict = judge(task, run.answer)
        assert not verdict.feasible, f"{task.id}: '{wrong.mistake}' was accepted"
        assert wrong.breaks in verdict.constraints, f"{task.id}: '{wrong.mistake}' named {verdict.constraints}"


@pytest.mark.parametrize(
    ("answer", "constraint"),
    [
        ([[0, 1, 0]], "format"),
        ({"tours": [[0, 1, 2, 3, 4, 0]]}, "format"),
        ({"tours": [[0, 1, 2, 3, 4, 0]], "cost": True}, "format"),
        ({"tours": [[0, 1, 2, 3, 4, 0]], "cost": float("nan")}, "format"),
        ({"tours": [[0, 1, 2, 3, 7, 0]], "cost": 1.0}, "nodes"),
        ({"tours": [[0, 1, 2, 3.5, 4, 0]], "cost": 1.0}, "nodes"),
        ({"tours": [[0, 1, 2, 0], [0, 3, 4, 0]], "cost": 1.0}, "robots"),
        ({"tours": [[1, 2, 3, 4, 0]], "cost": 1.0}, "endpoints"),
        ({"tours": [[0, 1, 2, 0, 3, 4, 0]], "cost": 1.0}, "visits"),
    ],
)
def test_malformed_answers_are_named(answer, constraint):
    assert judge(BY_ID["tsp-5"], answer).constraints[0] == constraint
