"""EXPLICIT edge weights of TSPLIB files: every EDGE_WEIGHT_FORMAT users meet, read into a full matrix.

The section is a stream of numbers whatever the line wrapping; its count must match the format exactly,
so a file with extra or missing numbers is refused instead of silently misread.
"""

from __future__ import annotations

import numpy as np

from ncorouting.io.tsplib import TsplibDocument, parse_float


def _count(fmt: str, n: int) -> int:
    return {
        "FULL_MATRIX": n * n,
        "LOWER_DIAG_ROW": n * (n + 1) // 2,
        "UPPER_DIAG_ROW": n * (n + 1) // 2,
        "LOWER_ROW": n * (n - 1) // 2,
        "UPPER_ROW": n * (n - 1) // 2,
    }[fmt]


#: Formats we read; their names as the TSPLIB95 documentation gives them.
EXPLICIT_FORMATS = ("FULL_MATRIX", "LOWER_DIAG_ROW", "UPPER_DIAG_ROW", "LOWER_ROW", "UPPER_ROW")


def _check_full_matrix_rows(doc: TsplibDocument, n: int) -> None:
    """A FULL_MATRIX written one row per line must have n numbers on every line (wrapped rows are fine)."""
    entries = doc.sections["EDGE_WEIGHT_SECTION"]
    if len(entries) == n:
        for row, entry in enumerate(entries, start=1):
            if len(entry.tokens) != n:
                raise doc.fail(
                    f"EDGE_WEIGHT_SECTION: row {row} of the FULL_MATRIX holds {len(entry.tokens)} numbers, not {n}",
                    entry.line,
                )


def explicit_matrix(doc: TsplibDocument, n: int) -> np.ndarray:
    """The [n, n] matrix of an EXPLICIT file, diagonal set to 0 (TSPLIB puts a "no edge" number there)."""
    fmt = doc.keyword("EDGE_WEIGHT_FORMAT")
    where = doc.spec.get("EDGE_WEIGHT_FORMAT", ("", None))[1]
    if fmt is None:
        raise doc.fail("EXPLICIT weights need an EDGE_WEIGHT_FORMAT")
    if fmt not in EXPLICIT_FORMATS:
        raise doc.fail(f"EDGE_WEIGHT_FORMAT '{fmt}' is not supported; supported: {', '.join(EXPLICIT_FORMATS)}", where)
    if "EDGE_WEIGHT_SECTION" not in doc.sections:
        raise doc.fail("EXPLICIT weights but no EDGE_WEIGHT_SECTION")
    entries = doc.sections["EDGE_WEIGHT_SECTION"]
    tokens = [(entry, token) for entry in entries for token in entry.tokens]
    expected = _count(fmt, n)
    if len(tokens) != expected:
        raise doc.fail(
            f"EDGE_WEIGHT_SECTION holds {len(tokens)} numbers; a {fmt} of DIMENSION {n} needs exactly {expected}",
            doc.section_lines["EDGE_WEIGHT_SECTION"],
        )
    if fmt == "FULL_MATRIX":
        _check_full_matrix_rows(doc, n)
    values = np.array([parse_float(doc, "EDGE_WEIGHT_SECTION", entry, token) for entry, token in tokens])
    if fmt == "FULL_MATRIX":
        matrix = values.reshape(n, n)
    else:
        matrix = np.zeros((n, n))
        # row-wise triangles: LOWER fills row i with columns 0..i (or i-1), UPPER with columns i (or i+1)..n-1
        lower = fmt.startswith("LOWER")
        offset = 0 if fmt.endswith("DIAG_ROW") else (-1 if lower else 1)
        rows, cols = (np.tril_indices if lower else np.triu_indices)(n, k=offset)
        matrix[rows, cols] = values
        matrix[cols, rows] = values
    matrix = matrix.copy()
    np.fill_diagonal(matrix, 0.0)
    return matrix
