"""A TSPLIB / CVRPLIB file as its specification keys and data sections, each value with its line number.

Our own reader, not vrplib's: vrplib 2.2 cannot compute GEO or ATT weights, fails on the triangular
EXPLICIT formats (LOWER_DIAG_ROW, UPPER_ROW, UPPER_DIAG_ROW, LOWER_ROW) and on wrapped FULL_MATRIX
rows, drops node ids (so duplicate or missing ids go unnoticed) and keeps no line numbers for errors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ncorouting.errors import InputError

_SPEC_LINE = re.compile(r"^([A-Za-z_]+)\s*:\s*(.*)$")
_SECTION = re.compile(r"^([A-Z_]+_SECTION)\s*:?\s*(.*)$", re.IGNORECASE)


@dataclass
class Entry:
    """One data line of a section: its 1-based line number and its tokens."""

    line: int
    tokens: list[str]


@dataclass
class TsplibDocument:
    """The parsed file: specification values (upper-case keys) and section entries, with line numbers."""

    source: str
    spec: dict[str, tuple[str, int]] = field(default_factory=dict)
    sections: dict[str, list[Entry]] = field(default_factory=dict)
    section_lines: dict[str, int] = field(default_factory=dict)

    def fail(self, message: str, line: int | None = None) -> InputError:
        return InputError(message, source=self.source, line=line)

    def text(self, key: str, default: str | None = None) -> str | None:
        """A specification value as text (stripped, surrounding quotes removed)."""
        if key not in self.spec:
            return default
        return self.spec[key][0].strip().strip('"').strip()

    def keyword(self, key: str) -> str | None:
        """The first word of a value, upper-cased (e.g. 'TSP (M.~Hofmeister)' -> 'TSP')."""
        value = self.text(key)
        return value.split()[0].upper() if value else None

    def number(self, key: str, *, integer: bool = False, positive: bool = False) -> float | int | None:
        """A numeric specification value; a clear error naming the key and line when it is not one."""
        if key not in self.spec:
            return None
        value, line = self.text(key), self.spec[key][1]
        try:
            number = float(value)
        except ValueError:
            raise self.fail(f"{key} must be a number, got '{value}'", line) from None
        if not math.isfinite(number) or (integer and not number.is_integer()):
            raise self.fail(f"{key} must be a finite {'whole ' if integer else ''}number, got '{value}'", line)
        if positive and number <= 0:
            raise self.fail(f"{key} must be positive, got '{value}'", line)
        return int(number) if integer else number


def parse_tsplib(path: Path) -> TsplibDocument:
    """Split a TSPLIB-style file into specification keys and sections; no interpretation yet."""
    source = str(path)
    if path.is_dir():
        raise InputError("is a directory, not an instance file", source=source)
    if not path.is_file():
        raise InputError("file not found", source=source)
    doc = TsplibDocument(source)
    current: str | None = None
    for number, raw in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.upper() == "EOF":
            break
        section = _SECTION.match(line)
        if section:
            current = section.group(1).upper()
            if current in doc.sections:
                raise doc.fail(f"{current} appears twice (lines {doc.section_lines[current]} and {number})", number)
            doc.sections[current], doc.section_lines[current] = [], number
            if section.group(2).strip():  # data on the header line itself
                doc.sections[current].append(Entry(number, section.group(2).split()))
            continue
        spec = _SPEC_LINE.match(line)
        if spec and not re.match(r"^[-+]?\d", line):
            key = spec.group(1).upper()
            if key in doc.spec:
                raise doc.fail(f"{key} is given twice (lines {doc.spec[key][1]} and {number})", number)
            doc.spec[key] = (spec.group(2), number)
            current = None
            continue
        if current is None:
            raise doc.fail(f"unexpected line '{line[:40]}' outside any section", number)
        doc.sections[current].append(Entry(number, line.split()))
    return doc


def parse_float(doc: TsplibDocument, what: str, entry: Entry, token: str) -> float:
    """A finite number from a section, or an error naming `what` (section, node) and the line."""
    try:
        value = float(token)
    except ValueError:
        raise doc.fail(f"{what}: '{token}' is not a number", entry.line) from None
    if not math.isfinite(value):
        raise doc.fail(f"{what}: '{token}' is not a finite number", entry.line)
    return value


def node_table(doc: TsplibDocument, section: str, dimension: int, values: int) -> tuple[list[list[float]], list[int]]:
    """Rows `id v1 .. v_values` of a node section, ordered by id 1..dimension; refuses malformed lines,
    duplicate, missing or out-of-range ids. Returns the values by node and each node's line number."""
    rows: dict[int, tuple[list[float], int]] = {}
    for entry in doc.sections.get(section, []):
        if len(entry.tokens) != values + 1:
            raise doc.fail(
                f"{section}: expected {values + 1} fields (node id and {values} value(s)), got {len(entry.tokens)}: "
                f"'{' '.join(entry.tokens)}' (truncated or extra fields?)",
                entry.line,
            )
        node_id = entry.tokens[0]
        if not re.fullmatch(r"\d+", node_id) or not 1 <= int(node_id) <= dimension:
            raise doc.fail(f"{section}: node id '{node_id}' is not a whole number in 1..{dimension}", entry.line)
        node = int(node_id)
        if node in rows:
            first = rows[node][1]
            raise doc.fail(f"{section}: node id {node} appears twice (lines {first} and {entry.line})", entry.line)
        rows[node] = ([parse_float(doc, f"{section}: node {node}", entry, t) for t in entry.tokens[1:]], entry.line)
    if len(rows) != dimension:  # ids are unique and in range, so some id up to len(rows) + 1 is missing
        missing = next(node for node in range(1, len(rows) + 2) if node not in rows)
        raise doc.fail(
            f"{section} has {len(rows)} entries, DIMENSION is {dimension}: node id {missing} is missing "
            f"({dimension - len(rows)} missing in all; truncated file?)",
            doc.section_lines.get(section),
        )
    return [rows[node][0] for node in range(1, dimension + 1)], [rows[node][1] for node in range(1, dimension + 1)]
