"""Errors raised for bad input: each names the file, line or field at fault."""

from __future__ import annotations


class NcoroutingError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(NcoroutingError, ValueError):
    """Bad user input: a malformed file, an invalid field, an impossible instance."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        where = source or ""
        if source and line is not None:
            where = f"{source}, line {line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.line = line


class UnknownNameError(NcoroutingError, KeyError):
    """A problem, solver or model name that is not registered."""

    def __init__(self, kind: str, name: str, known: list[str]):
        super().__init__(f"unknown {kind} '{name}'; known: {', '.join(sorted(known))}")
        self.kind, self.name = kind, name

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class CheckpointError(NcoroutingError, ValueError):
    """A checkpoint that cannot be used for the problem or size at hand."""


class SolverError(NcoroutingError, RuntimeError):
    """A solver that ended without a solution (e.g. none found within the time limit): not a crash."""
