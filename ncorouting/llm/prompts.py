"""The prompt paradigms and their files (`ncorouting/llm/prompts/`, under version control): text -> code
and text -> mathematical model -> code, each with a named solver. Only the task text, the instance file's
field names, the program's code and what running it printed ever go into a prompt."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from ncorouting.errors import InputError
from ncorouting.llm.sandbox import ALLOWED_IMPORTS, DENIED_IMPORTS, Limits, RunResult
from ncorouting.llm.tasks import Task

PROMPT_DIR = Path(__file__).with_name("prompts")
KINDS = {"code": "text -> code", "model-code": "text -> mathematical model -> code"}
SOLVERS = ("ortools", "ncorouting", "python")
#: The line a self-verification script prints when every constraint holds.
SUCCESS_TOKEN = "ALL CONSTRAINTS SATISFIED"
FEEDBACK_OUTPUT_CHARS = 2000


@dataclass(frozen=True)
class Paradigm:
    """How the LLM is asked: `kind` (code, or model-code: a formulation first, then code from it in a
    fresh conversation) and the solver the program must use."""

    kind: str
    solver: str

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.solver}"

    @classmethod
    def parse(cls, spec: str) -> Paradigm:
        """From "kind:solver", e.g. "model-code:ortools"."""
        kind, _, solver = spec.partition(":")
        if kind not in KINDS or solver not in SOLVERS:
            raise InputError(
                f"unknown paradigm '{spec}'; use KIND:SOLVER with KIND in {sorted(KINDS)} and SOLVER in {list(SOLVERS)}"
            )
        return cls(kind, solver)


@functools.cache
def template(name: str) -> Template:
    """The prompt file `name` (without .md) as a template with $placeholders."""
    return Template((PROMPT_DIR / f"{name}.md").read_text().strip())


def render(name: str, **values: object) -> str:
    """Prompt file `name` with every placeholder filled (a missing one is an error, not a blank)."""
    return template(name).substitute({k: str(v) for k, v in values.items()})


def prompt_hashes() -> dict[str, str]:
    """A short SHA-256 of every prompt file, recorded with results so that runs name their prompts."""
    return {
        str(p.relative_to(PROMPT_DIR)): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
        for p in sorted(PROMPT_DIR.rglob("*.md"))
    }


def _allowed() -> str:
    denied = ", ".join(DENIED_IMPORTS)
    return f"{', '.join(ALLOWED_IMPORTS)} (but not {denied})"


def requirements(task: Task, limits: Limits) -> str:
    """The program requirements: input file, declared output form, sandbox rules."""
    notes = ""
    if task.routing_instance is not None and task.routing_instance.fleet is not None:
        notes = ' Add "vehicles": the fleet index of the vehicle driving each tour.'
    return render(
        "requirements",
        output_notes=notes,
        cpu_seconds=limits.cpu_seconds,
        memory_mb=limits.memory_mb,
        allowed_imports=_allowed(),
    )


def system_message() -> dict:
    return {"role": "system", "content": render("system")}


def code_request(task: Task, paradigm: Paradigm, limits: Limits) -> str:
    """Text -> code: the task, the instance fields, the solver and the requirements."""
    return render(
        "text_to_code",
        task=task.description,
        instance_format=task.instance_format,
        solver=render(f"solvers/{paradigm.solver}"),
        requirements=requirements(task, limits),
    )


def model_request(task: Task) -> str:
    """Text -> model: a formulation, no code."""
    return render("text_to_model", task=task.description, instance_format=task.instance_format)


def code_from_model_request(model: str, task: Task, paradigm: Paradigm, limits: Limits) -> str:
    """Model -> code, in a fresh conversation that sees the formulation, not the task text."""
    return render(
        "model_to_code",
        model=model,
        instance_format=task.instance_format,
        solver=render(f"solvers/{paradigm.solver}"),
        requirements=requirements(task, limits),
    )


def verify_request(task: Task, answer: str) -> str:
    """Self-verification: a script that checks the answer against every constraint of the task."""
    return render(
        "verify",
        success_token=SUCCESS_TOKEN,
        task=task.description,
        instance_format=task.instance_format,
        answer=answer,
        allowed_imports=_allowed(),
    )


def run_feedback(run: RunResult) -> str:
    """Self-debugging: what went wrong with the run, clipped, and the request to fix it."""
    detail = run.detail[-FEEDBACK_OUTPUT_CHARS:]
    if run.verdict == "refused":
        return render("feedback/refused", detail=detail, allowed_imports=_allowed())
    if run.verdict == "unparsable":
        output = run.stdout[-FEEDBACK_OUTPUT_CHARS:].strip() or "(nothing)"
        return render("feedback/unparsable", detail=detail, output=output)
    return render(f"feedback/{run.verdict}", detail=detail)


def no_code_feedback() -> str:
    return render("feedback/no_code")


def verify_feedback(report: str) -> str:
    return render("feedback/verify_failed", report=report[-FEEDBACK_OUTPUT_CHARS:])


CODE_BLOCK = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.DOTALL)


def extract_code(reply: str) -> str | None:
    """The first Python code block of a reply (a block without a language tag counts), or None."""
    blocks = [(lang.lower(), body) for lang, body in CODE_BLOCK.findall(reply)]
    for lang, body in blocks:
        if lang in ("python", "py", "python3") and body.strip():
            return body
    untagged = [body for lang, body in blocks if not lang and body.strip()]
    return untagged[0] if untagged else None
