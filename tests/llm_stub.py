"""A stand-in for an LLM in tests: `StubResponder` answers our prompts with the reference programs (for
some task types first a broken program, then the fixed one), and `stub_server` serves it as an
OpenAI-compatible /v1/chat/completions endpoint on 127.0.0.1. It is not an LLM: it reports the model name
STUB_MODEL, and numbers obtained with it are the plumbing's, not a model's.

Run `python tests/llm_stub.py --port 8765` to serve it by hand (Ctrl-C stops it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from llm_wrong_programs import WRONG_PROGRAMS, WrongProgram  # noqa: E402

from ncorouting.llm.checkers import judge  # noqa: E402
from ncorouting.llm.prompts import SUCCESS_TOKEN  # noqa: E402
from ncorouting.llm.tasks import Task, load_benchmark, reference_program  # noqa: E402

STUB_MODEL = "ncorouting-test-stub (replays reference programs; not an LLM)"
#: What the stub does per task type; types not listed get the reference program at once.
BEHAVIOUR = {
    "tsp": "suboptimal",
    "btsp": "crash-then-fix",
    "gtsp": "wrong-then-fix",
    "ktsp": "no-code-then-fix",
    "tsptw": "wrong-then-fix",
    "mdtsp": "always-wrong",
    "mtsp": "suboptimal",
    "gmtsp": "crash-then-fix",
    "msop": "wrong-then-fix",
    "mtpp": "wrong-then-fix",
    "mdmtsp": "crash-then-fix",
}
#: A feasible but worse answer: the reference tour with its first two cities swapped, cost recomputed.
SUBOPTIMAL = """
tour = max(tours, key=len)
tour[1], tour[2] = tour[2], tour[1]
answer['cost'] = max(sum(dist(a, b) for a, b in zip(t, t[1:])) for t in tours)
"""
MODEL_MARKER = re.compile(r"\[task (\S+)\]")


def fenced(code: str) -> str:
    return f"Here is the program.\n\n```python\n{code}```\n"


class StubResponder:
    """Replies to our prompts by recognising the task in them; deterministic and stateless (the round is
    the number of assistant turns so far)."""

    def __init__(self, tasks: list[Task] | None = None, behaviour: dict[str, str] | None = None):
        self.tasks = tasks or load_benchmark()
        self.behaviour = BEHAVIOUR if behaviour is None else behaviour

    def find_task(self, text: str) -> Task:
        marked = MODEL_MARKER.search(text)
        if marked:
            return next(t for t in self.tasks if t.id == marked.group(1))
        matches = [t for t in self.tasks if t.description in text]
        return max(matches, key=lambda t: len(t.description))  # one description may extend another

    def reply(self, messages: list[dict]) -> str:
        first = messages[1]["content"]
        task = self.find_task(first)
        if first.startswith("Write a mathematical model"):
            return f"Formulation of [task {task.id}]: minimise the objective subject to the stated constraints."
        if first.startswith("Write a Python script that checks"):
            return fenced(self._check_script(task, first))
        rounds = sum(m["role"] == "assistant" for m in messages)
        return self._program(task, rounds)

    def _program(self, task: Task, round_: int) -> str:
        key = task.task_type.key
        behaviour = self.behaviour.get(key, "reference")
        if behaviour == "suboptimal":
            return fenced(WrongProgram("a worse tour", "", SUBOPTIMAL).program(key))
        if behaviour == "always-wrong" or (behaviour == "wrong-then-fix" and round_ == 0):
            return fenced(WRONG_PROGRAMS[key][0].program(key))
        if behaviour == "crash-then-fix" and round_ == 0:
            return fenced(reference_program(key).replace("json.load(handle)", 'json.load(handle)["instance"]'))
        if behaviour == "no-code-then-fix" and round_ == 0:
            return "I would solve this with a dynamic programme over subsets of cities."
        return fenced(reference_program(key))

    @staticmethod
    def _check_script(task: Task, prompt: str) -> str:
        """A check script whose verdict the stub takes from our checker (a stub, not a verifier)."""
        answer = json.loads(prompt.split("## Proposed answer", 1)[1].split("\n\nAnswer with", 1)[0])
        judgement = judge(task, answer)
        lines = [SUCCESS_TOKEN] if judgement.feasible else [f"VIOLATION: {v}" for v in judgement.violations]
        return "".join(f"print({line!r})\n" for line in lines)


class _Handler(BaseHTTPRequestHandler):
    server: StubServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        fault = self.server.faults.pop(0) if self.server.faults else None
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._send(404, b'{"error": {"message": "not found"}}')
        if fault == "500":
            return self._send(500, b'{"error": {"message": "stub failure"}}')
        if fault == "garbage":
            return self._send(200, b"this is not JSON")
        if fault == "slow":
            time.sleep(self.server.slow_seconds)
        text = self.server.responder.reply(body["messages"])
        doc = {
            "id": f"stub-{len(self.server.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": STUB_MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        self._send(200, json.dumps(doc).encode())

    def _send(self, status: int, payload: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (timeout test)
            pass


class StubServer(ThreadingHTTPServer):
    """The HTTP endpoint; `faults` are consumed one per request ("500", "garbage", "slow")."""

    daemon_threads = True

    def __init__(self, responder, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.responder = responder
        self.requests: list[dict] = []
        self.faults: list[str] = []
        self.slow_seconds = 3.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@contextlib.contextmanager
def stub_server(responder=None) -> Iterator[StubServer]:
    """A running stub endpoint for the duration of the block."""
    server = StubServer(responder or StubResponder())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="serve the test stub on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    server = StubServer(StubResponder(), parser.parse_args().port)
    print(f"stub (not an LLM) at {server.base_url}, model '{STUB_MODEL}'")
    server.serve_forever()
