"""The text-to-code benchmark run: every task x paradigm x trial through the loop, scored by our checkers
at the first attempt and after the last reflection round, printed per task and per setting."""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ncorouting.llm.client import ChatBackend
from ncorouting.llm.loop import LoopResult, LoopSettings, solve_task
from ncorouting.llm.metrics import Scores, mean_scores, score
from ncorouting.llm.prompts import Paradigm, prompt_hashes
from ncorouting.llm.sandbox import Sandbox
from ncorouting.llm.tasks import Task
from ncorouting.report import format_table

COLUMNS = ["task", "paradigm", "trials", "F@0", "O@0", "E@0", "F", "O", "E", "rounds", "llm_calls", "errors"]
SUMMARY_COLUMNS = ["setting", "paradigm", "tasks", "F@0", "O@0", "E@0", "F", "O", "E"]


@dataclass
class Trial:
    """One loop on one task with one paradigm."""

    task: Task
    paradigm: Paradigm
    index: int
    result: LoopResult


@dataclass
class BenchRun:
    """A finished benchmark run: its trials, settings and who answered."""

    backend: str
    settings: LoopSettings
    trials: list[Trial] = field(default_factory=list)
    seconds: float = 0.0
    isolation: str = ""

    @property
    def models(self) -> list[str]:
        return sorted({m for t in self.trials for m in t.result.models})

    def groups(self) -> dict[tuple[str, str], list[Trial]]:
        """Trials by (task id, paradigm name), in run order."""
        grouped: dict[tuple[str, str], list[Trial]] = {}
        for trial in self.trials:
            grouped.setdefault((trial.task.id, trial.paradigm.name), []).append(trial)
        return grouped

    def scores(self, trials: Sequence[Trial], round_: int) -> Scores:
        return score(trials[0].task.optimum, [t.result.judgement_at(round_) for t in trials])


def run_benchmark(
    tasks: Sequence[Task],
    backend: ChatBackend,
    paradigms: Sequence[Paradigm],
    trials: int,
    settings: LoopSettings,
    workers: int = 1,
    progress: bool = True,
) -> BenchRun:
    """Run every (task, paradigm, trial); `workers` loops at a time (threads: the work is in the LLM and
    in the sandbox's child processes)."""
    sandbox = Sandbox(settings.limits)
    units = [(task, p, k) for task in tasks for p in paradigms for k in range(trials)]
    run = BenchRun(backend.label, settings, isolation=sandbox.isolation)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(solve_task, task, backend, p, settings, sandbox) for task, p, _ in units]
        for (task, p, k), future in tqdm(zip(units, futures, strict=True), total=len(units), disable=not progress):
            run.trials.append(Trial(task, p, k, future.result()))
    run.seconds = time.perf_counter() - start
    return run


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _score_cells(first: Scores, last: Scores) -> dict:
    return {
        "F@0": _pct(first.feasibility),
        "O@0": _pct(first.optimality),
        "E@0": _pct(first.efficiency),
        "F": _pct(last.feasibility),
        "O": _pct(last.optimality),
        "E": _pct(last.efficiency),
    }


def task_rows(run: BenchRun) -> list[dict]:
    """One row per task and paradigm: scores at the first attempt (@0) and after the last round."""
    rows = []
    for (task_id, paradigm), trials in run.groups().items():
        rows.append(
            {
                "task": task_id,
                "paradigm": paradigm,
                "trials": len(trials),
                **_score_cells(run.scores(trials, 0), run.scores(trials, run.settings.rounds)),
                "rounds": f"{sum(len(t.result.attempts) - 1 for t in trials) / len(trials):.1f}",
                "llm_calls": sum(len(t.result.completions) for t in trials),
                "errors": sum(t.result.error is not None for t in trials),
            }
        )
    return rows


def summary_rows(run: BenchRun) -> list[dict]:
    """Per setting (single-5, single-10, multi-10) and paradigm, then over all tasks: scores averaged over
    task types, as the paper averages them."""
    groups = list(run.groups().values())
    settings = sorted({(g[0].task.setting, g[0].paradigm.name) for g in groups})
    keys = settings + sorted({("all", paradigm) for _, paradigm in settings})
    rows = []
    for setting, paradigm in keys:
        chosen = [g for g in groups if g[0].paradigm.name == paradigm and setting in ("all", g[0].task.setting)]
        first = mean_scores([run.scores(g, 0) for g in chosen])
        last = mean_scores([run.scores(g, run.settings.rounds) for g in chosen])
        rows.append({"setting": setting, "paradigm": paradigm, "tasks": len(chosen), **_score_cells(first, last)})
    return rows


def report(run: BenchRun) -> str:
    """The printed report: who answered, the settings, the per-task table and the per-setting means."""
    s = run.settings
    header = [
        f"backend: {run.backend}",
        f"model(s) reported: {', '.join(run.models) or '-'}",
        f"reflection rounds: {s.rounds}; self-verification: {'on' if s.self_verify else 'off'}; "
        f"sandbox: {run.isolation}, {s.limits.cpu_seconds} s CPU, {s.limits.memory_mb} MB",
        f"machine: {platform.machine()}, {platform.system()}; wall time {run.seconds:.1f} s",
        "F/O/E: feasibility, optimality, efficiency by our checkers; @0: first attempt; plain: after the last round",
    ]
    return "\n".join(
        [*header, "", format_table(task_rows(run), COLUMNS), "", format_table(summary_rows(run), SUMMARY_COLUMNS)]
    )


def _attempt_record(attempt) -> dict:
    run, judgement = attempt.run, attempt.judgement
    return {
        "round": attempt.round,
        "verdict": "no code" if run is None else run.verdict,
        "detail": None if run is None else run.detail[-500:],
        "feasible": None if judgement is None else judgement.feasible,
        "cost": None if judgement is None else judgement.cost,
        "violations": None if judgement is None else [str(v) for v in judgement.violations],
        "self_check": attempt.self_check,
    }


def results_document(run: BenchRun) -> dict:
    """Everything needed to audit the run, as JSON: settings, prompt hashes, every attempt's verdicts."""
    s = run.settings
    return {
        "backend": run.backend,
        "models": run.models,
        "settings": {"rounds": s.rounds, "self_verify": s.self_verify, "limits": vars(s.limits)},
        "isolation": run.isolation,
        "prompt_hashes": prompt_hashes(),
        "seconds": run.seconds,
        "summary": summary_rows(run),
        "trials": [
            {
                "task": t.task.id,
                "paradigm": t.paradigm.name,
                "trial": t.index,
                "optimum": t.task.optimum,
                "error": t.result.error,
                "llm_calls": len(t.result.completions),
                "tokens": sum((c.prompt_tokens or 0) + (c.completion_tokens or 0) for c in t.result.completions),
                "attempts": [_attempt_record(a) for a in t.result.attempts],
            }
            for t in run.trials
        ],
    }


def plot_scores(run: BenchRun, path: str | Path) -> Path:
    """Bars of feasibility, optimality and efficiency per task after the last round, one panel per paradigm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = run.groups()
    paradigms = sorted({p for _, p in groups})
    fig, axes = plt.subplots(len(paradigms), 1, figsize=(12, 3.2 * len(paradigms)), squeeze=False)
    for ax, paradigm in zip(axes[:, 0], paradigms, strict=True):
        ids = [t for t, p in groups if p == paradigm]
        scores = [run.scores(groups[(t, paradigm)], run.settings.rounds) for t in ids]
        for k, (name, values) in enumerate(
            [
                ("feasibility", [s.feasibility for s in scores]),
                ("optimality", [s.optimality or 0 for s in scores]),
                ("efficiency", [s.efficiency or 0 for s in scores]),
            ]
        ):
            ax.bar([i + 0.27 * (k - 1) for i in range(len(ids))], values, width=0.27, label=name)
        ax.set_xticks(range(len(ids)), ids, rotation=70, fontsize=7)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{paradigm} - {run.backend}, model(s) {', '.join(run.models)}", fontsize=8)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)
