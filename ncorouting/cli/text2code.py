"""`ncorouting text2code` (a routing task in words becomes a sandboxed program, judged by our checker) and
`ncorouting text2code-bench` (the 21-type benchmark against an LLM endpoint)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ncorouting.errors import InputError


def _settings(args: argparse.Namespace):
    from ncorouting.llm.loop import LoopSettings
    from ncorouting.llm.sandbox import Limits

    if args.rounds < 0:
        raise InputError(f"--rounds must be 0 or more, got {args.rounds}")
    limits = Limits(cpu_seconds=args.cpu_seconds, wall_seconds=args.wall_seconds, memory_mb=args.memory_mb)
    return LoopSettings(rounds=args.rounds, self_verify=not args.no_self_verify, limits=limits)


def _openai_backend(args: argparse.Namespace):
    import os

    from ncorouting.llm.client import LLMConfig, OpenAIChatBackend

    key = None
    if args.api_key_env:
        key = os.environ.get(args.api_key_env)
        if not key:
            raise InputError(f"--api-key-env names {args.api_key_env}, which is not set")
    config = LLMConfig.resolve(
        args.llm_config,
        base_url=args.base_url,
        model=args.model,
        api_key=key,
        temperature=args.temperature,
        timeout=args.timeout,
        retries=args.retries,
    )
    return OpenAIChatBackend(config)


def _backend(args: argparse.Namespace):
    from ncorouting.llm.client import ScriptedBackend

    if args.backend == "scripted":
        if not args.script:
            raise InputError("--backend scripted needs --script FILE (a JSON list of replies)")
        return ScriptedBackend.from_file(args.script)
    if args.script:
        raise InputError("--script applies to --backend scripted only")
    return _openai_backend(args)


def _print_attempts(result) -> None:
    for a in result.attempts:
        verdict = "no code block" if a.run is None else a.run.verdict
        ours = "" if a.judgement is None else f"; our checker: {'feasible' if a.judgement.feasible else 'INFEASIBLE'}"
        if a.judgement is not None:
            ours += f", cost {a.judgement.cost:.4f}" if a.judgement.feasible else f" ({a.judgement.reason})"
        print(f"round {a.round}: run {verdict}{ours}; self-check {a.self_check}")


def run_text2code(args: argparse.Namespace) -> int:
    """One task: the loop, each round's verdicts, our final verdict; files only for what was produced."""
    from ncorouting.llm.client import LLMError
    from ncorouting.llm.loop import solve_task
    from ncorouting.llm.prompts import Paradigm
    from ncorouting.llm.tasks.user import user_task

    task = user_task(args.description, args.instance)
    paradigm, settings, backend = Paradigm.parse(args.paradigm), _settings(args), _backend(args)
    result = solve_task(task, backend, paradigm, settings)
    print(f"backend: {backend.label}; model(s) reported: {', '.join(result.models) or '-'}; paradigm {paradigm.name}")
    _print_attempts(result)
    if result.error:
        raise LLMError(result.error)
    final = result.accepted(settings.rounds)
    judgement = None if final is None else final.judgement
    if judgement is None:
        print("final: no program ran to an answer")
    elif judgement.feasible:
        gap = "" if task.optimum is None else f" (optimum {task.optimum:.4f}, {task.optimum_method})"
        print(f"final (our checker): feasible, cost {judgement.cost:.4f}{gap}")
    else:
        print(f"final (our checker): INFEASIBLE: {judgement.reason}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "transcript.json").write_text(json.dumps(result.conversations, indent=1))
        written = [out / "transcript.json"]
        if final is not None:
            (out / "program.py").write_text(final.code)
            written.append(out / "program.py")
        if judgement is not None and judgement.feasible:
            (out / "answer.json").write_text(json.dumps(final.run.answer))
            written.append(out / "answer.json")
        print("wrote " + ", ".join(map(str, written)))
    return 0 if judgement is not None and judgement.feasible else 1


def run_bench(args: argparse.Namespace) -> int:
    """The benchmark: per-task and per-setting tables, optionally the results JSON and a plot."""
    from ncorouting.llm.bench import plot_scores, report, results_document, run_benchmark
    from ncorouting.llm.prompts import Paradigm
    from ncorouting.llm.tasks import load_benchmark

    tasks = load_benchmark(args.types, args.sizes)
    paradigms = [Paradigm.parse(p) for p in args.paradigms]
    settings, backend = _settings(args), _backend(args)
    if args.backend == "scripted" and args.workers != 1:
        raise InputError("a scripted backend replays in order: use --workers 1")
    run = run_benchmark(tasks, backend, paradigms, args.trials, settings, args.workers, progress=not args.quiet)
    print(report(run))
    if args.out:
        Path(args.out).write_text(json.dumps(results_document(run), indent=1))
        print(f"wrote {args.out}")
    if args.plot:
        print(f"wrote {plot_scores(run, args.plot)}")
    errors = sum(t.result.error is not None for t in run.trials)
    if errors:
        print(f"{errors} trial(s) stopped on an LLM error (see the results file)", file=sys.stderr)
    return 1 if errors else 0


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("LLM endpoint (also from NCOROUTING_LLM_* variables or --llm-config)")
    g.add_argument("--llm-config", default=None, help="YAML/JSON file: base_url, model, api_key_env, temperature, ...")
    g.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1")
    g.add_argument("--model", default=None, help="model name the endpoint serves")
    g.add_argument("--api-key-env", default=None, help="name of the environment variable holding the API key")
    g.add_argument("--temperature", type=float, default=None, help="sampling temperature (default: the client's)")
    g.add_argument("--timeout", type=float, default=None, help="seconds per request")
    g.add_argument("--retries", type=int, default=None, help="retries per request (default: the client's)")
    g.add_argument("--backend", choices=["openai", "scripted"], default="openai", help="LLM client")
    g.add_argument("--script", default=None, help="scripted backend: JSON list of replies, replayed in order")
    s = p.add_argument_group("loop and sandbox")
    s.add_argument("--rounds", type=int, default=6, help="reflection rounds after the first attempt")
    s.add_argument("--no-self-verify", action="store_true", help="skip the LLM-written constraint check")
    s.add_argument("--cpu-seconds", type=int, default=60, help="CPU-time limit of the generated program")
    s.add_argument("--wall-seconds", type=float, default=120.0, help="wall-clock limit of the generated program")
    s.add_argument("--memory-mb", type=int, default=2048, help="memory limit of the generated program")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("text2code", help="a routing task in words -> sandboxed solver code, judged by our checker")
    p.add_argument("description", help="the task in words")
    p.add_argument("--instance", required=True, help="a task JSON with 'type', or an ncorouting instance file")
    p.add_argument(
        "--paradigm", default="code:ortools", help="KIND:SOLVER, KIND code|model-code, SOLVER ortools|ncorouting|python"
    )
    p.add_argument("--out", default=None, help="folder for the transcript, the program and (if feasible) its answer")
    _common(p)
    p.set_defaults(func=run_text2code)

    b = sub.add_parser("text2code-bench", help="the 21-type text-to-code benchmark against an LLM backend")
    b.add_argument("--types", nargs="+", default=None, help="task type keys (default: all 21)")
    b.add_argument("--sizes", nargs="+", type=int, default=None, help="node counts: 5, 10 (default: both)")
    b.add_argument("--paradigms", nargs="+", default=["code:ortools"], help="KIND:SOLVER, e.g. model-code:python")
    b.add_argument("--trials", type=int, default=1, help="trials per task and paradigm (the paper uses 10)")
    b.add_argument("--workers", type=int, default=1, help="loops run at the same time")
    b.add_argument("--out", default=None, help="results JSON (every attempt's verdicts, prompt hashes)")
    b.add_argument("--plot", default=None, help="PNG of the scores per task")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    _common(b)
    b.set_defaults(func=run_bench)
