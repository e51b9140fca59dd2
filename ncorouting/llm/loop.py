"""Self-debugging and self-verification (after "From Words to Routes"): ask for a program, run it in the
sandbox, feed errors back, and when it runs, ask the LLM for a constraint-checking script and feed its
violations back; up to N reflection rounds after the first attempt. Our checker judges every program that
ran, but its verdict is only recorded, never shown to the LLM: the final word is ours, the loop's is not."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ncorouting.llm import prompts
from ncorouting.llm.checkers import Judgement, judge
from ncorouting.llm.client import ChatBackend, Completion, LLMError, Message
from ncorouting.llm.prompts import Paradigm
from ncorouting.llm.sandbox import Limits, RunResult, Sandbox, run_program
from ncorouting.llm.tasks import Task


@dataclass(frozen=True)
class LoopSettings:
    """Reflection rounds after the first attempt (the paper uses 6), whether to self-verify, and the
    sandbox limits for programs and check scripts."""

    rounds: int = 6
    self_verify: bool = True
    limits: Limits = field(default_factory=Limits)


@dataclass
class Attempt:
    """One round: the reply, its program, how the run ended, our judgement (None when it did not run),
    the self-check's outcome and the feedback sent back (None when the loop stopped)."""

    round: int
    code: str | None
    run: RunResult | None
    judgement: Judgement | None
    self_check: str = "not run"
    feedback: str | None = None


@dataclass
class LoopResult:
    """Everything one loop did: attempts, conversations, and who answered."""

    task_id: str
    paradigm: str
    attempts: list[Attempt] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)
    conversations: list[list[Message]] = field(default_factory=list)
    error: str | None = None

    def accepted(self, round_: int) -> Attempt | None:
        """The program the loop would hand over after `round_`: the latest one at or before it that ran
        and printed an answer."""
        ran = [a for a in self.attempts if a.round <= round_ and a.run is not None and a.run.ok]
        return ran[-1] if ran else None

    def judgement_at(self, round_: int) -> Judgement | None:
        """Our judgement of the accepted program after `round_` (None: nothing ran)."""
        attempt = self.accepted(round_)
        return attempt.judgement if attempt else None

    @property
    def backends(self) -> list[str]:
        return sorted({c.backend for c in self.completions})

    @property
    def models(self) -> list[str]:
        return sorted({c.model for c in self.completions})

    @property
    def verified(self) -> bool:
        """Whether the loop stopped on its own self-check passing."""
        return bool(self.attempts) and self.attempts[-1].self_check == "passed"


class Conversation:
    """A chat with the backend that keeps its messages and records each completion in the result."""

    def __init__(self, backend: ChatBackend, result: LoopResult, first: str):
        self.backend, self.result = backend, result
        self.messages: list[Message] = [prompts.system_message(), {"role": "user", "content": first}]
        result.conversations.append(self.messages)

    def ask(self) -> str:
        completion = self.backend.complete(self.messages)
        self.result.completions.append(completion)
        self.messages.append({"role": "assistant", "content": completion.text})
        return completion.text

    def tell(self, text: str) -> None:
        self.messages.append({"role": "user", "content": text})


def _open_conversation(task: Task, paradigm: Paradigm, backend: ChatBackend, result: LoopResult, limits: Limits):
    """The conversation that asks for code: directly, or after a formulation asked for on its own."""
    if paradigm.kind == "code":
        return Conversation(backend, result, prompts.code_request(task, paradigm, limits))
    model = Conversation(backend, result, prompts.model_request(task)).ask()
    return Conversation(backend, result, prompts.code_from_model_request(model, task, paradigm, limits))


def self_check(task: Task, run: RunResult, backend: ChatBackend, sandbox: Sandbox, result: LoopResult) -> str | None:
    """Ask for a checking script in a fresh conversation and run it on the answer; None when it prints the
    success line and no violation, else the report to feed back."""
    answer = json.dumps(run.answer)
    reply = Conversation(backend, result, prompts.verify_request(task, answer)).ask()
    script = prompts.extract_code(reply)
    if script is None:
        return "the check could not be run: the reply held no code"
    files = {"instance.json": json.dumps(task.instance), "answer.json": answer}
    check = sandbox.run(script, files, ("instance.json", "answer.json"))
    if not check.ok:
        return f"the check itself failed ({check.verdict}): {check.detail}"
    violations = [line for line in check.stdout.splitlines() if line.strip().startswith("VIOLATION")]
    if violations:
        return "\n".join(violations)
    if prompts.SUCCESS_TOKEN not in check.stdout:
        return f"the check printed neither '{prompts.SUCCESS_TOKEN}' nor any violation:\n{check.stdout[-1000:]}"
    return None


def solve_task(
    task: Task, backend: ChatBackend, paradigm: Paradigm, settings: LoopSettings, sandbox: Sandbox | None = None
) -> LoopResult:
    """Run the loop on one task; our checker's judgement of every program that ran is kept per round."""
    sandbox = sandbox or Sandbox(settings.limits)
    result = LoopResult(task.id, paradigm.name)
    try:
        _run_rounds(task, backend, paradigm, settings, sandbox, result)
    except LLMError as exc:  # kept with the rounds done so far; a caller decides whether it is fatal
        result.error = str(exc)
    return result


def _run_rounds(
    task: Task, backend: ChatBackend, paradigm: Paradigm, settings: LoopSettings, sandbox: Sandbox, result: LoopResult
) -> None:
    """The rounds: ask, run, judge (ours, recorded), self-check, feed back; stop on success or the last round."""
    chat = _open_conversation(task, paradigm, backend, result, settings.limits)
    for round_ in range(settings.rounds + 1):
        code = prompts.extract_code(chat.ask())
        attempt = Attempt(round_, code, None, None)
        result.attempts.append(attempt)
        if code is None:
            attempt.feedback = prompts.no_code_feedback()
        else:
            attempt.run = run_program(sandbox, code, task.instance)
            if not attempt.run.ok:
                attempt.feedback = prompts.run_feedback(attempt.run)
            else:
                attempt.judgement = judge(task, attempt.run.answer)
                if settings.self_verify:
                    report = self_check(task, attempt.run, backend, sandbox, result)
                    attempt.self_check = "passed" if report is None else "failed"
                    attempt.feedback = None if report is None else prompts.verify_feedback(report)
        if attempt.feedback is None or round_ == settings.rounds:
            attempt.feedback = None
            break
        chat.tell(attempt.feedback)
