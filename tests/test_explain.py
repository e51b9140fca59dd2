"""Route explainer: questions, infeasible alternatives, counterfactuals from both re-solvers, facts, text."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ncorouting.envs.cvrptw.batch import cvrptw_instances
from ncorouting.envs.cvrptw.generator import CVRPTWGenerator
from ncorouting.errors import InputError
from ncorouting.explain import Question, explain, explain_many
from ncorouting.explain.annotate import RuleAnnotator
from ncorouting.explain.question import actual_next, infeasibility
from ncorouting.instance import Instance, distances_from_coords
from ncorouting.io.datasets import generate_dataset, instances_from_batch
from ncorouting.solution import Solution
from ncorouting.solvers import get_solver

#: OR-Tools as a re-solver in tests: stop on a solution count, not wall time (reproducible, fast).
FAST_ORTOOLS = {"time_limit": 2.0, "solution_limit": 30}


def square_tw() -> Instance:
    """Depot at a corner of the unit square, clients at the other three; client 2 (opposite corner)
    must be served first (its window closes at 1.5), the others have wide windows."""
    coords = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    windows = np.array([[0, 10], [0, 10], [0, 1.5], [0, 10]], dtype=float)
    return Instance(
        "cvrptw",
        distances_from_coords(coords),
        coords=coords,
        demands=np.array([0, 1, 1, 1.0]),
        capacity=10,
        time_windows=windows,
        service_times=np.zeros(4),
        name="square",
    )


def pair_cvrp() -> Instance:
    """Two clients of demand 3 next to each other, capacity 4: each needs its own trip."""
    coords = np.array([[0, 0], [1, 0], [1.1, 0], [0, 1]], dtype=float)
    return Instance(
        "cvrp", distances_from_coords(coords), coords=coords, demands=np.array([0, 3, 3, 1.0]), capacity=4, name="pair"
    )


@pytest.fixture(scope="module")
def cvrp20() -> list[Solution]:
    instances = instances_from_batch("cvrp", generate_dataset("cvrp", 4, 20, seed=11))
    return get_solver("ortools", solution_limit=50).solve_many(instances, time_limit=2.0)


@pytest.fixture(scope="module")
def cvrptw20() -> list[Solution]:
    torch.manual_seed(4)
    instances = cvrptw_instances(CVRPTWGenerator(num_loc=20)(4))
    return get_solver("ortools", solution_limit=50).solve_many(instances, time_limit=2.0)


def feasible_questions(solution: Solution, count: int) -> list[Question]:
    """The first `count` feasible alternatives at step 1 of each route."""
    out = []
    for r, route in enumerate(solution.routes):
        for c in range(1, solution.instance.num_nodes):
            q = Question(r, 1, c)
            if len(route) > 1 and c != route[1] and infeasibility(solution, q) is None:
                out.append(q)
                break
    return out[:count]


def test_own_edge_gives_zero_difference(cvrp20):
    sol = cvrp20[0]
    e = explain(sol.instance, sol, route=0, step=1, alternative=sol.routes[0][1], annotator="none")
    assert e.counterfactual is sol
    assert set(e.facts.differences.values()) == {0}
    assert "already takes this edge" in e.text()


def test_infeasible_alternatives_give_the_reason_not_a_route(cvrp20):
    pair = pair_cvrp()
    sol = Solution.from_routes(pair, [[1], [2, 3]], "hand", 0.0)
    e = explain(pair, sol, route=1, step=1, alternative=1, annotator="none")
    assert e.counterfactual is None and e.facts.counterfactual is None
    assert e.facts.reason.startswith("capacity") and "remaining 1" in e.facts.reason
    e = explain(pair, sol, route=1, step=1, alternative=2, annotator="none")
    assert "already served" in e.facts.reason
    square = square_tw()
    sol = Solution.from_routes(square, [[2, 1, 3]], "hand", 0.0)
    e = explain(square, sol, route=0, step=0, alternative=1, annotator="none", **FAST_ORTOOLS)  # fine at step 0
    assert e.facts.reason is None or "no feasible completion" in e.facts.reason
    e = explain(square, sol, route=0, step=1, alternative=3, annotator="none", **FAST_ORTOOLS)
    assert e.facts.reason is None
    late = Solution.from_routes(square, [[1, 3], [2]], "hand", 0.0)
    e = explain(square, late, route=0, step=1, alternative=2, annotator="none")
    assert e.facts.reason.startswith("time window") and "late by" in e.facts.reason
    assert "not possible" in e.text()


def test_bad_questions_are_refused(cvrp20):
    sol = cvrp20[0]
    with pytest.raises(InputError, match="route 99"):
        explain(sol.instance, sol, route=99, step=0, alternative=1)
    with pytest.raises(InputError, match="not a client"):
        explain(sol.instance, sol, route=0, step=0, alternative=0)
    with pytest.raises(InputError, match="no edge"):
        explain(sol.instance, sol, edge=(0, 0), alternative=3)


@pytest.mark.slow
@pytest.mark.parametrize("resolver", ["ortools", "neural"])
def test_counterfactuals_start_with_the_forced_edge_and_pass_the_checker(resolver, cvrp20, cvrptw20):
    """Every counterfactual of both problems: feasible for the checker, starts with prefix + alternative,
    its cost difference reported; the neural resolver answers all questions in one batch."""
    cases = [(s, q) for s in cvrp20 + cvrptw20 for q in feasible_questions(s, 2)]
    options = FAST_ORTOOLS if resolver == "ortools" else {}
    explanations = explain_many(cases, resolver=resolver, annotator="none", **options)
    for (sol, q), e in zip(cases, explanations, strict=True):
        cf = e.counterfactual
        assert cf is not None and cf.feasible, e.facts.reason
        assert cf.routes[q.route][: q.step + 1] == [*sol.routes[q.route][: q.step], q.alternative]
        assert e.facts.differences["total_cost"] == pytest.approx(cf.cost - sol.cost)


def test_edge_question_form(cvrp20):
    sol = cvrp20[1]
    a, b = sol.routes[0][0], sol.routes[0][1]
    e = explain(sol.instance, sol, edge=(a, b), alternative=b, annotator="none")
    assert e.facts.question == Question(0, 1, b) and actual_next(sol, e.facts.question) == b


def test_rule_annotator_on_hand_made_instances():
    """Capacity: the return from client 1 is forced by the load (client 2 cannot fit). Time window:
    leaving the depot for the far corner 2 is bent by its window (a shortest tour starts at 1 or 3)."""
    annotator = RuleAnnotator()
    pair = pair_cvrp()
    assert annotator.annotate(Solution.from_routes(pair, [[1], [2, 3]], "hand", 0.0))[0] == ["length", "capacity"]
    square = square_tw()
    labels = annotator.annotate(Solution.from_routes(square, [[2, 1, 3]], "hand", 0.0))[0]
    assert labels[0] == "time window" and labels[-1] == "length"


def test_facts_of_a_time_windowed_counterfactual(cvrptw20):
    sol = cvrptw20[0]
    q = feasible_questions(sol, 1)[0]
    e = explain(sol.instance, sol, route=q.route, step=q.step, alternative=q.alternative, **FAST_ORTOOLS)
    facts = e.facts
    assert facts.classes == ("length", "capacity", "time window")
    assert facts.actual.edge.arrival is not None and facts.counterfactual.edge.target == q.alternative
    assert abs(sum(facts.counterfactual.later_intentions.values()) - 1) < 1e-9
    assert len(facts.actual.intentions[q.route]) == len(sol.routes[q.route]) + 1
    text = e.text()
    assert f"{facts.actual.total_cost:.4g}" in text and f"{facts.counterfactual.total_cost:.4g}" in text
    doc = facts.to_dict()
    assert doc["differences"] == facts.differences and doc["question"]["alternative"] == q.alternative


def test_acvrptw_counterfactual_on_a_road_network(tmp_path):
    """Real-world ACVRPTW (asymmetric road matrices, windows on durations): the OR-Tools and the neural
    (shipped RRNCO policy) counterfactuals pass the checker and start with the forced edge; an already
    visited alternative gets the reason."""
    from test_realworld import write_grid_osm

    from ncorouting.envs import make_env
    from ncorouting.realworld.city import build_city
    from ncorouting.realworld.instances import instances_from_batch as road_instances

    city = build_city(write_grid_osm(tmp_path / "grid.osm", size=6), num_points=60, progress=False)
    torch.manual_seed(3)
    instance = road_instances("acvrptw", make_env("acvrptw", 12, cities=[city]).generator(1))[0]
    sol = get_solver("ortools", solution_limit=30).solve(instance, time_limit=2.0)
    q = feasible_questions(sol, 1)[0]
    for options in (FAST_ORTOOLS, {"resolver": "neural"}):
        e = explain(instance, sol, route=q.route, step=q.step, alternative=q.alternative, **options)
        cf = e.counterfactual
        assert cf is not None and cf.feasible and e.facts.classes == ("length", "capacity", "time window")
        assert cf.routes[q.route][: q.step + 1] == [*sol.routes[q.route][: q.step], q.alternative]
        assert e.facts.differences["total_cost"] == pytest.approx(cf.cost - sol.cost)
    assert cf.solver == "rrnco continuation"
    visited = sol.routes[q.route][0]
    refused = explain(instance, sol, route=q.route, step=q.step, alternative=visited, annotator="none")
    assert refused.counterfactual is None and "already served" in refused.facts.reason


def test_facts_find_the_forced_route_when_the_resolve_uses_fewer_routes():
    """A counterfactual with fewer routes than the questioned route's index: the facts read the route
    that holds the forced prefix."""
    import dataclasses

    from ncorouting.explain.facts import solution_facts

    forced = dataclasses.replace(pair_cvrp(), route_prefixes=[[2]])
    cf = Solution.from_routes(forced, [[1, 3], [2]], "hand", 0.0)
    facts = solution_facts(cf, Question(4, 0, 2), None, 2)
    assert facts.route == [2] and facts.edge.source == 0 and facts.edge.target == 2
