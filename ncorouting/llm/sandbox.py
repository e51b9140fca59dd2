"""Runs generated code outside the caller's process: a child Python in a fresh temporary folder with
CPU-time, memory, file-size and wall-clock limits, a minimal environment (no keys), a new network
namespace where the platform allows it (`unshare`), and in any case the audit hook of `sandbox_boot`.

Verdicts: ok, timeout, memory, refused (what), crashed (traceback), unparsable (output over the cap, or,
for programs, not the declared JSON form).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ncorouting.llm import sandbox_boot

VERDICTS = ("ok", "timeout", "memory", "refused", "crashed", "unparsable")
#: Modules generated code may import itself (and their submodules); libraries import what they need.
ALLOWED_IMPORTS = (
    *("__future__", "abc", "array", "bisect", "cmath", "collections", "copy", "dataclasses", "decimal", "enum"),
    *("fractions", "functools", "heapq", "io", "itertools", "json", "math", "numbers", "operator", "os"),
    *("pathlib", "pprint", "queue", "random", "re", "statistics", "string", "sys", "time", "typing", "warnings"),
    *("numpy", "scipy", "networkx", "ortools", "ncorouting"),
)
#: Never importable by generated code, even under an allowed parent: our benchmark's own solver and checkers.
DENIED_IMPORTS = ("ncorouting.llm",)


@dataclass(frozen=True)
class Limits:
    """What one sandboxed run may use."""

    cpu_seconds: int = 60
    wall_seconds: float = 120.0
    memory_mb: int = 2048
    output_bytes: int = 1_000_000


@dataclass(frozen=True)
class RunResult:
    """How a sandboxed run ended: the verdict, what it means (what was refused, the traceback, ...), the
    captured output, and the isolation that applied."""

    verdict: str
    detail: str
    stdout: str
    stderr: str
    wall_seconds: float
    isolation: str
    answer: object = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@functools.cache
def network_namespace_prefix() -> tuple[str, ...]:
    """The `unshare` command line that gives a child its own, empty network namespace, or () where the
    platform refuses (no unshare binary, user namespaces disabled)."""
    exe = shutil.which("unshare")
    if exe is None:
        return ()
    for flags in (("--net", "--map-root-user"), ("--net",)):
        try:
            probe = subprocess.run([exe, *flags, "--", sys.executable, "-c", ""], capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return (exe, *flags, "--")
    return ()


@functools.cache
def read_roots() -> tuple[str, ...]:
    """Folders a sandboxed program may read: the Python installation and the ncorouting package."""
    import ncorouting

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(ncorouting.__file__).parent)}
    return tuple(sorted({os.path.realpath(r) for r in roots}))


@dataclass
class _Ending:
    """How the child process ended, and what it left in its output files."""

    code: int
    wall_seconds: float
    timed_out: bool
    stdout: bytes = b""
    stderr: bytes = b""
    events: str = ""

    def read(self, folder: Path, cap: int) -> None:
        """Read the output files, at most one byte past the cap (enough to tell that it was passed)."""
        self.stdout, self.stderr, events = (
            (folder / name).read_bytes()[: cap + 1] for name in ("stdout", "stderr", "events")
        )
        self.events = events.decode(errors="replace")


def _tail(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else "...\n" + text[-limit:]


class Sandbox:
    """Runs Python source in a child process under `limits`; the caller's process never imports it."""

    def __init__(
        self,
        limits: Limits | None = None,
        allowed_imports: tuple[str, ...] = ALLOWED_IMPORTS,
        denied_imports: tuple[str, ...] = DENIED_IMPORTS,
        network_namespace: bool = True,
    ):
        self.limits = limits or Limits()
        self.allowed_imports, self.denied_imports = allowed_imports, denied_imports
        self.prefix = network_namespace_prefix() if network_namespace else ()

    @property
    def isolation(self) -> str:
        hook = "audit hook, resource limits"
        return f"network namespace, {hook}" if self.prefix else hook

    def run(self, source: str, files: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> RunResult:
        """Run `source` as `program.py` beside `files` (name -> text) with `args`; always returns a verdict."""
        with (
            tempfile.TemporaryDirectory(prefix="ncr-sandbox-", ignore_cleanup_errors=True) as root,
            tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as private,
        ):
            root = os.path.realpath(root)
            program = os.path.join(root, "program.py")
            Path(program).write_text(source)
            for name, text in (files or {}).items():
                Path(root, name).write_text(text)
            with (
                open(os.path.join(private, "stdout"), "wb") as out,
                open(os.path.join(private, "stderr"), "wb") as err,
                open(os.path.join(private, "events"), "wb") as events,
            ):
                config = {
                    "root": root,
                    "program": program,
                    "args": list(args),
                    "read_roots": list(read_roots()),
                    "allowed_imports": list(self.allowed_imports),
                    "denied_imports": list(self.denied_imports),
                    "events_fd": events.fileno(),
                    "cpu_seconds": int(self.limits.cpu_seconds),
                    "memory_bytes": int(self.limits.memory_mb) * 2**20,
                    "file_bytes": int(self.limits.output_bytes) + 1,
                }
                ending = self._spawn(config, root, out, err, events.fileno())
            ending.read(Path(private), self.limits.output_bytes)
        return self._verdict(ending, root)

    def _spawn(self, config: dict, root: str, out, err, events_fd: int) -> _Ending:
        env = {"PATH": os.defpath, "HOME": root, "TMPDIR": root, "LANG": "C.UTF-8"}
        env |= {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
        command = [*self.prefix, sys.executable, "-I", "-B", "-c", Path(sandbox_boot.__file__).read_text()]
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*command, json.dumps(config)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            pass_fds=(events_fd,),
            start_new_session=True,
        )
        try:
            proc.wait(timeout=self.limits.wall_seconds)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the whole session: nothing it started outlives it
        except ProcessLookupError:
            pass
        proc.wait()
        return _Ending(proc.returncode, time.perf_counter() - start, timed_out)

    def _verdict(self, ending: _Ending, root: str) -> RunResult:
        code, events = ending.code, ending.events
        out, err = (text.decode(errors="replace").replace(root + os.sep, "") for text in (ending.stdout, ending.stderr))
        refused = [line.split("\t", 1)[1] for line in events.splitlines() if line.startswith("refused\t")]
        last_error = err.strip().splitlines()[-1] if err.strip() else ""
        if ending.timed_out:
            verdict, detail = "timeout", f"still running after the wall-clock limit of {self.limits.wall_seconds:g} s"
        elif refused:
            verdict, detail = "refused", refused[0]
        elif code in (-signal.SIGXCPU, -signal.SIGKILL):
            verdict, detail = "timeout", f"stopped at the CPU-time limit of {self.limits.cpu_seconds} s"
        elif "memory\t" in events or re.search(r"MemoryError|std::bad_alloc", last_error):
            verdict, detail = "memory", f"ran out of its memory limit of {self.limits.memory_mb} MB"
        elif len(ending.stdout) > self.limits.output_bytes:
            verdict, detail = "unparsable", f"printed more than the output cap of {self.limits.output_bytes} bytes"
        elif code != 0:
            signame = f" (signal {signal.Signals(-code).name})" if code < 0 else ""
            verdict, detail = "crashed", f"exit status {code}{signame}\n{_tail(err)}".rstrip()
        else:
            verdict, detail = "ok", ""
        stdout = _tail(out, self.limits.output_bytes)
        return RunResult(verdict, detail, stdout, _tail(err), ending.wall_seconds, self.isolation)


def parse_answer(stdout: str) -> tuple[object, str | None]:
    """The JSON object on the last non-empty line of a program's output, or why there is none."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None, "the program printed nothing"
    try:
        answer = json.loads(lines[-1])
    except json.JSONDecodeError as exc:
        return None, f"the last line is not JSON ({exc.msg}): {lines[-1][:200]!r}"
    if not isinstance(answer, dict):
        return None, f"the last line is JSON but not an object: {lines[-1][:200]!r}"
    return answer, None


def run_program(sandbox: Sandbox, source: str, instance: dict) -> RunResult:
    """Run a generated program on `instance` (written as instance.json, passed as its argument) and read
    its answer in the declared form; a run that ends well but prints no such answer is "unparsable"."""
    result = sandbox.run(source, {"instance.json": json.dumps(instance)}, ("instance.json",))
    if not result.ok:
        return result
    answer, problem = parse_answer(result.stdout)
    if problem is not None:
        return RunResult("unparsable", problem, result.stdout, result.stderr, result.wall_seconds, result.isolation)
    return RunResult("ok", "", result.stdout, result.stderr, result.wall_seconds, result.isolation, answer)
