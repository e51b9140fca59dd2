"""Route explainer benchmark, in one process, on the same instances and questions for every method:

A. 100 CVRP20 and 100 CVRPTW20 instances (with `--problems ...,acvrptw --city`, also 100 ACVRPTW20
   instances sampled from a road network) with HGS solutions, one random feasible question each, re-solved
   by the neural continuation (batched; POMO, RRNCO on road matrices) and by OR-Tools with the prefix
   locked: every counterfactual checked
   (feasible, starts with the forced prefix and alternative), cost differences; plus the route's own edge
   (zero difference) and an impossible alternative (a reason, no route) per instance.
B. 50-node questions: neural continuation latency (one question at a time, and batched) against
   OR-Tools' 5 s, with the neural counterfactual's cost against OR-Tools'.
C. Edge intentions: the shipped edge classifier against the rule annotator (macro-F1, speed) on the
   HGS solutions of A, next to its held-out macro-F1 from training.

    python benchmarks/bench_explain.py [--instances 100] [--large 20] [--problems cvrp,cvrptw[,acvrptw]]
        [--city CITY.npz|OSM.osm.bz2] [--out docs/bench/explain.md]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from ncorouting.explain import explain_many
from ncorouting.explain.annotate import RuleAnnotator, intention_classes
from ncorouting.explain.classifier import macro_f1
from ncorouting.explain.classifier_annotator import ClassifierAnnotator, load_classifier, shipped_classifier
from ncorouting.explain.ec_data import generate_instances, random_question
from ncorouting.explain.question import Question, actual_next, infeasibility
from ncorouting.explain.resolve import NeuralResolver
from ncorouting.report import format_table
from ncorouting.solvers import get_solver

A_COLUMNS = [
    "set",
    "resolver",
    "questions",
    "valid",
    "mean_diff",
    "mean_diff_pct",
    "vs_ortools_pct",
    "s_per_q",
    "cpu_s_per_q",
]
LARGE_ORTOOLS_LIMIT = 5.0  # the anchor: RouteExplainer gives OR-Tools 5 s per question
B_COLUMNS = ["set", "method", "questions", "valid", "mean_diff", "vs_ortools_pct", "median_s", "cpu_s_per_q"]
C_COLUMNS = [
    "set",
    "routes",
    "edges",
    "macro_f1_vs_rules",
    "heldout_macro_f1",
    "rules_s_per_sol",
    "ec_s_per_sol",
    "speedup",
]


def timed(fn):
    """Result, wall seconds and process CPU seconds of `fn()`."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def valid(explanation, solution, question) -> bool:
    """The counterfactual exists, passes the checker and starts with the forced prefix and alternative."""
    cf = explanation.counterfactual
    prefix = [*solution.routes[question.route][: question.step], question.alternative]
    return cf is not None and cf.feasible and any(r[: len(prefix)] == prefix for r in cf.routes)


def impossible_question(solution) -> Question | None:
    """An alternative the route cannot take at its last step (capacity, window, or already visited)."""
    last = len(solution.routes[0])
    for c in range(1, solution.instance.num_nodes):
        if infeasibility(solution, Question(0, last, c)) is not None:
            return Question(0, last, c)
    return None


def resolve_rows(name, solutions, cases, ortools_limit, neural) -> tuple[list[dict], dict]:
    """Both re-solvers on the same questions; rows of part A and the OR-Tools costs."""
    rows, costs = [], {}
    for label, kwargs in (
        ("ortools", {"resolver": "ortools", "time_limit": ortools_limit}),
        ("neural", {"resolver": neural}),
    ):
        expl, wall, cpu = timed(lambda kwargs=kwargs: explain_many(cases, annotator="none", **kwargs))
        ok = [valid(e, s, q) for e, (s, q) in zip(expl, cases, strict=True)]
        diffs = [e.facts.differences["total_cost"] for e, good in zip(expl, ok, strict=True) if good]
        pct = [100 * d / s.cost for d, (s, _), good in zip(diffs, cases, ok, strict=False) if good]
        costs[label] = [e.counterfactual.cost if good else np.nan for e, good in zip(expl, ok, strict=True)]
        row = {"set": name, "resolver": label if label == "neural" else f"ortools {ortools_limit:g} s"}
        row.update(questions=len(cases), valid=f"{sum(ok)}/{len(cases)}", mean_diff=float(np.mean(diffs)))
        row.update(mean_diff_pct=float(np.mean(pct)), s_per_q=wall / len(cases), cpu_s_per_q=cpu / len(cases))
        if label == "neural":
            ratio = np.array(costs["neural"]) / np.array(costs["ortools"]) - 1
            row["vs_ortools_pct"] = float(100 * np.nanmean(ratio))
        rows.append(row)
    return rows, costs


def part_a(problem, count, seed, ortools_limit, neural, cities) -> tuple[list[dict], list]:
    instances = generate_instances(problem, count, 20, seed, cities)
    solutions = get_solver("hgs").solve_many(instances, time_limit=0.5, progress=True)
    rng = np.random.default_rng(seed)
    cases = [(s, q) for s in solutions if (q := random_question(s, rng)) is not None]
    rows, _ = resolve_rows(f"{problem}20", solutions, cases, ortools_limit, neural)
    own = [(s, Question(0, 1, actual_next(s, Question(0, 1, 1)))) for s in solutions if len(s.routes[0]) > 1]
    zero = all(set(e.facts.differences.values()) == {0} for e in explain_many(own, annotator="none"))
    impossible = [(s, q) for s in solutions if (q := impossible_question(s)) is not None]
    refused = explain_many(impossible, annotator="none")
    reasons = all(e.counterfactual is None and e.facts.reason for e in refused)
    rows.append(
        {
            "set": f"{problem}20",
            "resolver": f"own edge: zero diff {zero} ({len(own)}); impossible: reason {reasons} ({len(impossible)})",
        }
    )
    return rows, solutions


def part_b(problem, count, seed, neural, cities) -> list[dict]:
    instances = generate_instances(problem, count, 50, seed, cities)
    solutions = get_solver("hgs").solve_many(instances, time_limit=1.0, progress=True)
    rng = np.random.default_rng(seed)
    cases = [(s, q) for s in solutions if (q := random_question(s, rng)) is not None]
    explain_many(cases[:1], resolver=neural, annotator="none")  # load the policy once, outside the timing
    singles = [timed(lambda c=c: explain_many([c], resolver=neural, annotator="none")) for c in cases]
    rows, _ = resolve_rows(f"{problem}50", solutions, cases, LARGE_ORTOOLS_LIMIT, neural)
    for row in rows:
        row["method"] = row.pop("resolver") + (", batched" if row.get("vs_ortools_pct") is not None else "")
        row["median_s"] = row.pop("s_per_q")
    rows.append(
        {
            "set": f"{problem}50",
            "method": "neural, one question at a time",
            "questions": len(cases),
            "valid": f"{sum(valid(e[0][0], *c) for e, c in zip(singles, cases, strict=True))}/{len(cases)}",
            "median_s": statistics.median(s[1] for s in singles),
            "cpu_s_per_q": statistics.mean(s[2] for s in singles),
        }
    )
    return rows


def part_c(problem, solutions) -> dict:
    classes = intention_classes(problem)
    rules, rules_wall, _ = timed(lambda: RuleAnnotator().annotate_many(solutions))
    ec, ec_wall, _ = timed(lambda: ClassifierAnnotator().annotate_many(solutions))
    truth = torch.tensor([classes.index(x) for sol in rules for route in sol for x in route])
    predicted = torch.tensor([classes.index(x) for sol in ec for route in sol for x in route])
    _, meta = load_classifier(shipped_classifier(problem), problem)
    return {
        "set": f"{problem}20 (HGS)",
        "routes": sum(len(s.routes) for s in solutions),
        "edges": int(truth.numel()),
        "macro_f1_vs_rules": macro_f1(predicted, truth),
        "heldout_macro_f1": meta["test_metrics"]["macro_f1"],
        "rules_s_per_sol": rules_wall / len(solutions),
        "ec_s_per_sol": ec_wall / len(solutions),
        "speedup": rules_wall / ec_wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--large", type=int, default=20, help="50-node instances per problem for part B")
    parser.add_argument("--ortools-limit", type=float, default=1.0, help="OR-Tools seconds per question in part A")
    parser.add_argument("--seed", type=int, default=4321)
    parser.add_argument("--problems", default="cvrp,cvrptw", help="any of cvrp, cvrptw, acvrptw (needs --city)")
    parser.add_argument("--city", default=None, help="city file or OSM extract that ACVRPTW instances come from")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="also write the tables as Markdown here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)  # after the imports: numba's OpenMP start-up resets it
    neural = NeuralResolver()
    a_rows, b_rows, solved = [], [], {}
    problems = args.problems.split(",")
    if "acvrptw" in problems and not args.city:
        parser.error("--problems acvrptw needs --city (a city file or an OSM extract)")
    cities = [args.city] if args.city else None
    for problem in problems:
        rows, solved[problem] = part_a(problem, args.instances, args.seed, args.ortools_limit, neural, cities)
        a_rows += rows
        print(format_table(a_rows[-3:], A_COLUMNS), flush=True)
    for problem in problems:
        b_rows += part_b(problem, args.large, args.seed + 1, neural, cities)
        print(format_table(b_rows[-3:], B_COLUMNS), flush=True)
    # edge classifiers are shipped for the coordinate problems only
    c_rows = [part_c(problem, solved[problem]) for problem in problems if problem in ("cvrp", "cvrptw")]
    header = (
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {torch.get_num_threads()} torch thread(s); "
        "diff = counterfactual cost - actual cost (HGS); vs_ortools_pct = neural counterfactual cost vs OR-Tools' on "
        "the same question; cpu_s = process CPU seconds (the machine is shared: wall times vary with its load)"
    )
    tables = [format_table(a_rows, A_COLUMNS), format_table(b_rows, B_COLUMNS)]
    tables += [format_table(c_rows, C_COLUMNS)] if c_rows else []
    text = header + "\n\n" + "\n\n".join(f"```\n{t}\n```" for t in tables) + "\n"
    print("\n" + text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
