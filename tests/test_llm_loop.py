"""The self-debugging and self-verification loops with a scripted backend (replayed replies, no LLM): the
exact prompts (golden files), the rounds, the verdicts, and our checker having the last word."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from llm_wrong_programs import WRONG_PROGRAMS

from ncorouting.llm.checkers import Judgement
from ncorouting.llm.client import ScriptedBackend
from ncorouting.llm.loop import LoopSettings, solve_task
from ncorouting.llm.metrics import mean_scores, ratio, score
from ncorouting.llm.prompts import SUCCESS_TOKEN, Paradigm, extract_code, prompt_hashes, render
from ncorouting.llm.sandbox import Limits
from ncorouting.llm.tasks import load_benchmark, reference_program

GOLDEN = Path(__file__).parent / "data" / "llm"
TASK = next(t for t in load_benchmark(["tsp"], [5]))
SETTINGS = LoopSettings(rounds=3, self_verify=True, limits=Limits(cpu_seconds=5, wall_seconds=30, memory_mb=1024))
CODE = Paradigm("code", "ortools")
CRASH = 'import json, sys\ninstance = json.load(open(sys.argv[1]))\nraise ValueError("no tour found")\n'
PASS_CHECK = f"print({SUCCESS_TOKEN!r})\n"
FAIL_CHECK = "print('VIOLATION: city 4 is never visited')\n"


def fenced(code: str) -> str:
    return f"Here is my program.\n\n```python\n{code}```\n"


def golden(name: str, text: str) -> None:
    """Compare with tests/data/llm/NAME.txt (NCOROUTING_UPDATE_GOLDEN=1 rewrites it after a deliberate change)."""
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("NCOROUTING_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"prompt {name} changed; review it and update the golden file"


def test_self_debugging_end_to_end_error_fix_verified():
    backend = ScriptedBackend([fenced(CRASH), fenced(reference_program("tsp")), fenced(PASS_CHECK)])
    result = solve_task(TASK, backend, CODE, SETTINGS)
    first, second = result.attempts
    assert first.run.verdict == "crashed" and "ValueError: no tour found" in first.run.detail
    assert first.judgement is None and first.feedback is not None
    assert second.run.verdict == "ok" and second.self_check == "passed" and second.feedback is None
    assert second.judgement.feasible and second.judgement.cost == pytest.approx(TASK.optimum)
    assert result.verified and result.judgement_at(0) is None and result.judgement_at(3).feasible
    assert result.backends == ["scripted replay (not an LLM)"] and result.models == ["scripted"]
    code_chat, check_chat = backend.received[1], backend.received[2]
    assert [m["role"] for m in code_chat] == ["system", "user", "assistant", "user"]
    golden("system", code_chat[0]["content"])
    golden("code_request_tsp5_ortools", code_chat[1]["content"])
    golden("feedback_crashed", code_chat[3]["content"])
    golden("verify_request_tsp5", check_chat[1]["content"])
    assert len(check_chat) == 2  # self-verification runs in a fresh conversation


def test_violation_reported_by_the_self_check_is_fed_back_and_fixed():
    wrong = WRONG_PROGRAMS["tsp"][0].program("tsp")
    replies = [fenced(wrong), fenced(FAIL_CHECK), fenced(reference_program("tsp")), fenced(PASS_CHECK)]
    backend = ScriptedBackend(replies)
    result = solve_task(TASK, backend, CODE, SETTINGS)
    assert [a.self_check for a in result.attempts] == ["failed", "passed"]
    assert result.attempts[0].judgement.constraints == ["visits"]  # ours, recorded, never sent
    sent = backend.received[2][-1]["content"]
    golden("feedback_verify_failed", sent)
    assert "never visited" in sent and "our checker" not in sent
    assert result.judgement_at(0).feasible is False and result.judgement_at(3).feasible


def test_a_self_check_cannot_overrule_our_checker():
    wrong = WRONG_PROGRAMS["tsp"][0].program("tsp")
    result = solve_task(TASK, ScriptedBackend([fenced(wrong), fenced(PASS_CHECK)]), CODE, SETTINGS)
    assert result.verified and len(result.attempts) == 1  # the LLM's check passed, so the loop stopped
    assert not result.judgement_at(SETTINGS.rounds).feasible  # but our checker says infeasible
    assert score(TASK.optimum, [result.judgement_at(SETTINGS.rounds)]).feasibility == 0


@pytest.mark.parametrize(
    ("first_reply", "verdict", "feedback_name"),
    [
        ("I would use dynamic programming.", None, "feedback_no_code"),
        (fenced("while True:\n    pass\n"), "timeout", "feedback_timeout"),
        (fenced("import socket\n"), "refused", "feedback_refused"),
        (fenced("print('the tour is 0 1 2 3 4 0')\n"), "unparsable", "feedback_unparsable"),
    ],
)
def test_each_failure_gets_its_feedback_then_the_fix_is_taken(first_reply, verdict, feedback_name):
    settings = LoopSettings(rounds=2, self_verify=False, limits=Limits(cpu_seconds=1, wall_seconds=30))
    backend = ScriptedBackend([first_reply, fenced(reference_program("tsp"))])
    result = solve_task(TASK, backend, CODE, settings)
    first, second = result.attempts
    assert (first.run and first.run.verdict) == verdict
    golden(feedback_name, backend.received[1][-1]["content"])
    assert second.run.verdict == "ok" and second.judgement.feasible and second.self_check == "not run"


def test_round_limit_ends_the_loop_with_the_last_program_that_ran():
    wrong = fenced(WRONG_PROGRAMS["tsp"][0].program("tsp"))
    backend = ScriptedBackend([wrong, fenced(FAIL_CHECK), fenced(CRASH), wrong, fenced(FAIL_CHECK)])
    result = solve_task(TASK, backend, CODE, LoopSettings(rounds=2, limits=SETTINGS.limits))
    assert [a.round for a in result.attempts] == [0, 1, 2] and not result.verified
    assert result.attempts[-1].feedback is None  # nothing is sent after the last round
    assert result.accepted(1).round == 0 and result.accepted(2).round == 2
    assert result.judgement_at(2).constraints == ["visits"]


def test_model_then_code_paradigm_asks_for_code_in_a_fresh_conversation():
    formulation = "Sets: cities V. Variables x_ij binary. Minimise sum d_ij x_ij subject to degree constraints."
    backend = ScriptedBackend([formulation, fenced(reference_program("tsp")), fenced(PASS_CHECK)])
    result = solve_task(TASK, backend, Paradigm("model-code", "python"), SETTINGS)
    assert result.verified and result.judgement_at(0).feasible
    model_chat, code_chat = backend.received[0], backend.received[1]
    golden("model_request_tsp5", model_chat[1]["content"])
    golden("code_from_model_tsp5_python", code_chat[1]["content"])
    assert formulation in code_chat[1]["content"] and TASK.description not in code_chat[1]["content"]
    assert len(code_chat) == 2


def test_an_llm_error_is_recorded_with_the_rounds_done():
    result = solve_task(TASK, ScriptedBackend([fenced(CRASH)]), CODE, SETTINGS)
    assert result.attempts[0].run.verdict == "crashed" and "no reply left" in result.error


def test_metrics_as_the_paper_defines_them():
    def feasible(cost):
        return Judgement(True, cost, cost)

    judgements = [feasible(10.0), feasible(12.5), Judgement(False, None, 3.0), None]
    scores = score(10.0, judgements)
    assert (scores.feasibility, scores.optimality, scores.efficiency) == (0.5, 0.25, pytest.approx(0.45))
    assert ratio(10.0, feasible(10.04)) == 1.0  # rounded to two decimals, as the paper does
    assert score(None, judgements).optimality is None
    assert mean_scores([score(10.0, [feasible(10.0)]), score(10.0, [None])]).feasibility == 0.5


def test_extract_code_takes_the_first_python_block():
    reply = "text\n```bash\nls\n```\n```python\nprint(1)\n```\n```python\nprint(2)\n```"
    assert extract_code(reply) == "print(1)\n"
    assert extract_code("```\nprint(3)\n```") == "print(3)\n"
    assert extract_code("no code here") is None


def test_prompt_files_are_hashed_and_render_refuses_missing_values():
    hashes = prompt_hashes()
    assert {"text_to_code.md", "verify.md", "solvers/ncorouting.md", "feedback/crashed.md"} <= set(hashes)
    with pytest.raises(KeyError):
        render("feedback/crashed")
