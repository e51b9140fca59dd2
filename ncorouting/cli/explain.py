"""`ncorouting explain FILE --solver hgs --step 3 --alternative 17 [--resolver ortools|neural]`:
solve an instance, then answer "why this edge and not the one to the alternative?" with a
counterfactual; print the explanation, write the facts (JSON) and the pictures."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ncorouting.cli.common import HelpFormatter, output_stem, positive_number
from ncorouting.errors import InputError
from ncorouting.solvers import SOLVERS, get_solver


def _llm_config(args: argparse.Namespace):
    from ncorouting.explain.text import LLMConfig

    if args.llm_base_url or args.llm_model:
        if not (args.llm_base_url and args.llm_model):
            raise InputError("--llm-base-url and --llm-model go together")
        return LLMConfig(args.llm_base_url, args.llm_model)
    if args.llm:
        config = LLMConfig.from_env()
        if config is None:
            raise InputError(
                "--llm needs NCOROUTING_LLM_BASE_URL and NCOROUTING_LLM_MODEL (or --llm-base-url/--llm-model)"
            )
        return config
    return None


def run(args: argparse.Namespace) -> int:
    """Solve, explain, print, write facts and figures."""
    from ncorouting.explain import explain
    from ncorouting.io import read_instance

    llm = _llm_config(args)  # refuse a half-configured endpoint before any work
    if args.edge is None and args.step is None:
        raise InputError("give --step (with --route, default 0) or --edge A B")
    instance = read_instance(args.path)
    solution = get_solver(args.solver).solve(instance, time_limit=args.time_limit, seed=args.seed)
    if not solution.feasible:
        raise InputError(f"the {args.solver} solution is infeasible ({solution.reason}); nothing to explain")
    options = {"time_limit": args.resolve_time_limit} if args.resolver == "ortools" else {}
    explanation = explain(
        instance,
        solution,
        route=args.route,
        step=args.step,
        alternative=args.alternative,
        edge=None if args.edge is None else tuple(args.edge),
        resolver=args.resolver,
        annotator=args.annotator,
        **options,
    )
    print(explanation.text(llm))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{output_stem(Path(args.path))}.explain"
    facts_file = stem.with_name(stem.name + ".json")
    facts_file.write_text(json.dumps(explanation.facts.to_dict(), indent=1))
    written = [facts_file]
    if not args.no_plot and instance.coords is not None:
        written.append(stem.with_name(stem.name + ".png"))
        explanation.plot(written[-1])
        if explanation.counterfactual is not None:
            written.append(stem.with_name(stem.name + ".differences.png"))
            explanation.plot_differences(written[-1])
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="explain one edge of a solution with a counterfactual ('why A->B and not A->C?')",
        formatter_class=HelpFormatter,
    )
    p.add_argument("path", help="instance file (.vrp, .txt Solomon, .json, ...)")
    p.add_argument("--solver", default="hgs", choices=sorted(SOLVERS), help="solver of the actual solution")
    p.add_argument("--time-limit", type=positive_number, default=5.0, help="seconds for the actual solution")
    p.add_argument("--route", type=int, default=0, help="route index (from 0)")
    p.add_argument("--step", type=int, default=None, help="step along the route, from 0 (0 leaves the depot)")
    p.add_argument("--edge", type=int, nargs=2, metavar=("A", "B"), help="the questioned edge instead of route/step")
    p.add_argument("--alternative", type=int, required=True, help="the client to go to instead")
    p.add_argument("--resolver", default="ortools", choices=["ortools", "neural"], help="re-solves the rest")
    p.add_argument("--resolve-time-limit", type=positive_number, default=5.0, help="OR-Tools seconds for it")
    p.add_argument("--annotator", default="rules", choices=["rules", "classifier", "none"], help="edge intentions")
    p.add_argument("--seed", type=int, default=0, help="random seed of the actual solution's solver")
    p.add_argument("--out", default="explanations", help="folder for the facts JSON and pictures")
    p.add_argument("--no-plot", action="store_true", help="write the facts JSON only, no pictures")
    p.add_argument("--llm", action="store_true", help="LLM-written text via NCOROUTING_LLM_BASE_URL/_MODEL")
    p.add_argument("--llm-base-url", default=None, help="OpenAI-compatible endpoint for LLM-written text")
    p.add_argument("--llm-model", default=None, help="model name at --llm-base-url")
    p.set_defaults(func=run)
