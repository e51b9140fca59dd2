"""Runs inside the sandbox's child process, before the generated program: sets the resource limits,
installs an audit hook and then executes the program. The parent passes this file's source with `-c`,
so it imports nothing from ncorouting and needs only the standard library.

The audit hook refuses sockets, subprocesses, forks, signals to other processes, file writes outside the
sandbox folder, reads outside it and the Python installation, and imports (by the program itself) of
modules off the allow-list. Each refusal is recorded on the events file before the program is told, so a
program that swallows the PermissionError is still judged "refused". The hook guards against mistakes and
naive misuse; the network namespace and the resource limits are the operating system's part.
"""

import json
import os
import resource
import sys
import traceback

REFUSED_FAMILIES = {
    "socket": "network access",
    "subprocess": "starting a subprocess",
    "pty": "starting a subprocess",
    "webbrowser": "opening a browser",
    "ftplib": "network access",
    "smtplib": "network access",
    "http": "network access",
    "urllib": "network access",
}
REFUSED_EVENTS = {
    "os.system": "starting a subprocess",
    "os.exec": "starting a subprocess",
    "os.posix_spawn": "starting a subprocess",
    "os.spawn": "starting a subprocess",
    "os.startfile": "starting a subprocess",
    "os.fork": "forking",
    "os.forkpty": "forking",
    "os.kill": "signalling a process",
    "os.killpg": "signalling a process",
    "signal.pthread_kill": "signalling a process",
    "gc.get_objects": "inspecting the interpreter's objects",
    "gc.get_referrers": "inspecting the interpreter's objects",
    "gc.get_referents": "inspecting the interpreter's objects",
    "sys.settrace": "tracing the interpreter",
    "sys.setprofile": "tracing the interpreter",
}
#: Events whose first argument is a path that must lie inside the sandbox folder.
WRITE_EVENTS = (
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "os.utime",
    "os.link",
    "os.symlink",
    "os.rename",
    "os.chdir",
    "shutil.copyfile",
    "shutil.rmtree",
    "shutil.move",
)
#: Events whose first argument is a path that may also lie among the read-only library folders.
READ_EVENTS = ("os.listdir", "os.scandir", "glob.glob")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
#: System files a library may read: devices and the time-zone database.
READABLE_FILES = ("/dev/null", "/dev/urandom", "/etc/localtime")
READABLE_FOLDERS = ("/usr/share/zoneinfo",)


def set_limits(cpu_seconds: int, memory_bytes: int, file_bytes: int) -> None:
    """CPU seconds (SIGXCPU, then SIGKILL a second later), address space, largest file (stdout included)."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def make_hook(root: str, read_roots: tuple, allowed: tuple, denied: tuple, events_fd: int):
    """The audit hook; it records the first refusal of each kind on `events_fd` and raises PermissionError."""
    recorded = set()

    def resolve(path) -> str | None:
        """The absolute real path, or None for an already open descriptor."""
        if isinstance(path, int):
            return None
        return os.path.realpath(os.path.join(os.getcwd(), os.fsdecode(path)))

    def inside(path, roots) -> bool:
        full = resolve(path)
        return full is None or any(full == r or full.startswith(r + os.sep) for r in roots)

    def readable(path) -> bool:
        return resolve(path) in READABLE_FILES or inside(path, (root, *read_roots, *READABLE_FOLDERS))

    def refuse(what: str) -> None:
        if what not in recorded and len(recorded) < 20:
            recorded.add(what)
            os.write(events_fd, f"refused\t{what}\n".encode(errors="replace"))
        raise PermissionError(f"sandbox: {what} is not allowed")

    def by_program() -> bool:
        """Whether the import statement being run is the program's own, not a library's (frozen stdlib
        modules such as os count as library; the import machinery is skipped)."""
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            frame = frame.f_back
        name = frame.f_code.co_filename if frame is not None else ""
        return not (name.startswith("<frozen ") or any(name.startswith(r + os.sep) for r in read_roots))

    def module_allowed(name: str) -> bool:
        top = tuple(name.split("."))
        if any(top[: len(d)] == d for d in denied):
            return False
        return any(top[: len(a)] == a for a in allowed)

    def hook(event: str, args: tuple) -> None:
        if event == "import":
            if not module_allowed(args[0]) and by_program():
                refuse(f"import of module '{args[0]}' (not on the allow-list)")
        elif event == "open":
            path, mode, flags = args
            writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & WRITE_FLAGS)
            if not (inside(path, (root,)) if writing else readable(path)):
                refuse(f"{'writing' if writing else 'reading'} the file {os.fsdecode(path)} outside the sandbox")
        elif event in REFUSED_EVENTS or event.partition(".")[0] in REFUSED_FAMILIES:
            refuse(f"{REFUSED_EVENTS.get(event) or REFUSED_FAMILIES[event.partition('.')[0]]} ({event})")
        elif event in WRITE_EVENTS:
            for path in args[:2] if event in ("os.rename", "os.link", "os.symlink", "shutil.move") else args[:1]:
                if isinstance(path, str | bytes | os.PathLike) and not inside(path, (root,)):
                    refuse(f"changing the file system at {os.fsdecode(path)} outside the sandbox ({event})")
        elif event in READ_EVENTS and args and isinstance(args[0], str | bytes | os.PathLike):
            if not readable(args[0]):
                refuse(f"listing {os.fsdecode(args[0])} outside the sandbox ({event})")

    return hook


def main() -> None:
    """Limits, hook, then the program with `sys.argv` = [program, *args] as `__main__`."""
    config = json.loads(sys.argv[1])
    set_limits(config["cpu_seconds"], config["memory_bytes"], config["file_bytes"])
    events_fd = config["events_fd"]
    with open(config["program"]) as handle:
        code = compile(handle.read(), config["program"], "exec")
    allowed = tuple(tuple(m.split(".")) for m in config["allowed_imports"])
    denied = tuple(tuple(m.split(".")) for m in config["denied_imports"])
    hook = make_hook(config["root"], tuple(config["read_roots"]), allowed, denied, events_fd)
    sys.argv = [config["program"], *config["args"]]
    sys.addaudithook(hook)
    try:
        exec(code, {"__name__": "__main__", "__file__": config["program"], "__builtins__": __builtins__})
    except MemoryError:
        os.write(events_fd, b"memory\tMemoryError\n")
        _flush_and_exit(3)
    except SystemExit:
        raise
    except BaseException as exc:
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)  # from the program's frames on
        _flush_and_exit(1)


def _flush_and_exit(code: int) -> None:
    """Keep what the program printed, then leave without running its exit handlers."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, MemoryError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
