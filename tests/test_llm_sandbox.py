"""The sandbox: each hostile program ends in its verdict within its limits, and the caller is unaffected."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ncorouting.llm.sandbox import (
    ALLOWED_IMPORTS,
    VERDICTS,
    Limits,
    Sandbox,
    network_namespace_prefix,
    run_program,
)

LIMITS = Limits(cpu_seconds=1, wall_seconds=20.0, memory_mb=512, output_bytes=20_000)
ANSWER = 'import json, sys\njson.load(open(sys.argv[1]))\nprint(json.dumps({"tours": [[0, 1, 0]], "cost": 2.0}))'
OUTSIDE = Path(tempfile.gettempdir()) / "ncorouting-sandbox-escape.txt"

# name -> (program, verdict, what the detail must mention)
HOSTILE = {
    "loops forever": ("while True:\n    pass", "timeout", "CPU-time limit"),
    "allocates 10 GB": ("block = bytearray(10 * 2**30)\nprint(len(block))", "memory", "512 MB"),
    "allocates 10 GB with numpy": ("import numpy as np\nprint(np.ones(10 * 2**30 // 8).sum())", "memory", "512 MB"),
    "forks": ("import os\nprint(os.fork())", "refused", "forking"),
    "runs a shell command": ("import os\nos.system('echo hi')", "refused", "subprocess"),
    "writes outside its folder": (f"open({str(OUTSIDE)!r}, 'w').write('x')", "refused", "writing the file"),
    "reads outside its folder": ("print(open('/etc/hostname').read())", "refused", "reading the file"),
    "opens a socket": ("import socket\nsocket.create_connection(('127.0.0.1', 80))", "refused", "'socket'"),
    "imports a forbidden module": ("import ctypes\nprint(ctypes.CDLL(None))", "refused", "'ctypes'"),
    "imports our checkers": ("from ncorouting.llm import checkers", "refused", "'ncorouting.llm'"),
    "signals its parent": ("import os\nos.kill(os.getppid(), 9)", "refused", "signalling"),
    "prints garbage": ("import sys\nsys.stdout.buffer.write(b'\\x00\\xff tours: none\\n')", "unparsable", "not JSON"),
    "prints without end": ("while True:\n    print('x' * 1000)", "unparsable", "output cap"),
    "crashes": ("def solve():\n    return {}['tours']\nsolve()", "crashed", "KeyError: 'tours'"),
}


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(LIMITS)


def test_answer_in_declared_form_is_ok(sandbox):
    result = run_program(sandbox, ANSWER, {"coords": [[0, 0], [1, 1]]})
    assert result.verdict == "ok" and result.answer == {"tours": [[0, 1, 0]], "cost": 2.0}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_program_gets_its_verdict_within_limits(sandbox, name):
    program, verdict, mention = HOSTILE[name]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = run_program(sandbox, program, {"coords": [[0, 0], [1, 1]]})
    assert time.perf_counter() - start < LIMITS.wall_seconds + 5
    assert result.verdict == verdict, result.detail
    assert verdict in VERDICTS and mention in result.detail
    # the caller is unaffected: same folder, nothing written outside, no child left running
    assert Path.cwd().exists() and not OUTSIDE.exists()
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - children_before.ru_utime < LIMITS.cpu_seconds + 3


def test_wall_clock_limit_stops_a_sleeping_program():
    result = Sandbox(Limits(cpu_seconds=5, wall_seconds=1.0)).run("import time\ntime.sleep(60)")
    assert result.verdict == "timeout" and "wall-clock" in result.detail
    assert result.wall_seconds < 5


def test_refusal_stands_even_when_the_program_swallows_it(sandbox):
    program = 'try:\n    import subprocess\nexcept Exception:\n    pass\nprint(\'{"tours": [], "cost": 0}\')'
    assert run_program(sandbox, program, {}).verdict == "refused"


def test_hook_refuses_sockets_even_when_the_module_is_allowed():
    result = Sandbox(LIMITS, allowed_imports=(*ALLOWED_IMPORTS, "socket")).run(
        "import socket\nsocket.create_connection(('127.0.0.1', 80))"
    )
    assert result.verdict == "refused" and "network access" in result.detail


def test_library_imports_are_not_the_programs_and_may_use_what_they_need():
    program = "import os\nimport numpy, scipy.optimize, networkx\nfrom ortools.sat.python import cp_model\n" + ANSWER
    assert run_program(Sandbox(Limits(cpu_seconds=30, wall_seconds=60)), program, {}).verdict == "ok"


def test_program_may_write_in_its_own_folder_and_sees_no_secrets(sandbox):
    program = "import os\nopen('notes.txt', 'w').write('x')\nprint(sorted(os.environ))\n" + ANSWER
    os.environ["NCOROUTING_LLM_API_KEY"] = "secret-value"
    try:
        result = run_program(sandbox, program, {})
    finally:
        del os.environ["NCOROUTING_LLM_API_KEY"]
    assert result.verdict == "ok" and "NCOROUTING_LLM_API_KEY" not in result.stdout


def test_network_namespace_cuts_the_child_off_where_available():
    prefix = network_namespace_prefix()
    if not prefix:
        pytest.skip("this platform refuses unprivileged network namespaces; the audit hook alone applies")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {listener.getsockname()[1]}), timeout=5)"
    try:
        inside = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
        outside = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    finally:
        listener.close()
    assert inside.returncode != 0 and "unreachable" in inside.stderr.lower()
    assert outside.returncode == 0
    assert Sandbox().isolation.startswith("network namespace")
