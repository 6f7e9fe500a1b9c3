"""Reading a CSV of solved problems (slug or title, date, optional outcome), treating the file as hostile.

`read_solved_csv` is pure: bytes and the learner's local date in, rows and errors out, never an exception.
What it refuses, each error naming the line (1-based, as a spreadsheet shows it) and a code with its value:

- a file over `MAX_BYTES`, not UTF-8 (a BOM is allowed), holding NUL bytes, or over `MAX_ROWS` rows: one error
  for the whole file (line 0), and no rows;
- a line over `MAX_LINE_CHARS` characters or with more than `MAX_COLUMNS` cells (a huge row);
- a cell that starts like a spreadsheet formula (`=`, `+`, `-`, `@`, a tab or a carriage return), which a
  spreadsheet opening the file again would run;
- no problem, a date that is not `YYYY-MM-DD` (or `YYYY/MM/DD`, with an optional time after it), a date in the
  future or before 2000, an outcome not in `OUTCOME_WORDS`.

A first row naming its columns (`slug` or `title` or `problem`, `date`, `outcome`) is a header and sets their
order; without one the columns are problem, date, outcome. Blank lines are skipped. The same problem and date
twice count once (the first).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from .rating import Outcome

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
MAX_LINE_CHARS = 1000
MAX_COLUMNS = 10
EARLIEST = dt.date(2000, 1, 1)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

KEY_NAMES = frozenset({"slug", "title", "problem", "name", "question"})
DATE_NAMES = frozenset({"date", "solved", "solved_on", "solved_at", "day"})
OUTCOME_NAMES = frozenset({"outcome", "result", "status"})

OUTCOME_WORDS: dict[str, Outcome] = {
    "": "solved_alone",
    "solved_alone": "solved_alone",
    "alone": "solved_alone",
    "solved": "solved_alone",
    "ac": "solved_alone",
    "accepted": "solved_alone",
    "yes": "solved_alone",
    "solved_with_hints": "solved_with_hints",
    "with_hints": "solved_with_hints",
    "hints": "solved_with_hints",
    "hint": "solved_with_hints",
    "read_solution": "read_solution",
    "solution": "read_solution",
    "not_solved": "not_solved",
    "unsolved": "not_solved",
    "failed": "not_solved",
    "no": "not_solved",
}

_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?.*)?$")


@dataclass(frozen=True, slots=True)
class SolvedRow:
    line: int
    key: str
    date: dt.date
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class RowError:
    """`code` says what is wrong (the module docstring's list); `value` is the offending text or number."""

    line: int
    code: str
    value: str = ""


@dataclass
class SolvedCsv:
    rows: list[SolvedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _columns(first: list[str]) -> tuple[int, int, int | None] | None:
    """(key, date, outcome) column indexes when `first` is a header, else None."""
    names = [cell.strip().lower().replace(" ", "_") for cell in first]
    key = next((i for i, n in enumerate(names) if n in KEY_NAMES), None)
    if key is None:
        return None
    date = next((i for i, n in enumerate(names) if n in DATE_NAMES), None)
    outcome = next((i for i, n in enumerate(names) if n in OUTCOME_NAMES), None)
    return key, (date if date is not None else -1), outcome


def read_solved_csv(data: bytes, *, today: dt.date) -> SolvedCsv:
    """Rows and errors of a solved-problems CSV (module docstring)."""
    out = SolvedCsv()
    if len(data) > MAX_BYTES:
        out.errors.append(RowError(0, "too_big", str(MAX_BYTES // 1024)))
        return out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.errors.append(RowError(0, "not_utf8", str(exc.start)))
        return out
    if "\x00" in text:
        out.errors.append(RowError(0, "nul_bytes"))
        return out
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        out.errors.append(RowError(0, "too_many_rows", str(MAX_ROWS)))
        return out
    columns: tuple[int, int, int | None] = (0, 1, 2)
    seen: set[tuple[str, dt.date]] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            out.errors.append(RowError(number, "line_too_long", str(MAX_LINE_CHARS)))
            continue
        try:
            cells = next(csv.reader(io.StringIO(line)), [])
        except csv.Error as exc:
            out.errors.append(RowError(number, "bad_csv", _clip(str(exc))))
            continue
        if len(cells) > MAX_COLUMNS:
            out.errors.append(RowError(number, "too_many_columns", str(MAX_COLUMNS)))
            continue
        if number == 1 or not (out.rows or out.errors or seen):
            header = _columns(cells)
            if header is not None:
                columns = header
                continue
        formula = next((c for c in cells if c.startswith(FORMULA_STARTS)), None)
        if formula is not None:
            out.errors.append(RowError(number, "formula", _clip(formula.strip() or repr(formula))))
            continue
        key_at, date_at, outcome_at = columns

        def cell(index: int | None, cells: list[str] = cells) -> str:
            return cells[index].strip() if index is not None and 0 <= index < len(cells) else ""

        key = cell(key_at)
        if not key:
            out.errors.append(RowError(number, "no_problem"))
            continue
        raw_date = cell(date_at)
        date = _parse_date(raw_date)
        if date is None:
            out.errors.append(RowError(number, "bad_date", _clip(raw_date)))
            continue
        if date > today or date < EARLIEST:
            out.errors.append(RowError(number, "date_out_of_range", date.isoformat()))
            continue
        raw_outcome = cell(outcome_at)
        outcome = OUTCOME_WORDS.get(raw_outcome.lower().replace(" ", "_").replace("-", "_"))
        if outcome is None:
            out.errors.append(RowError(number, "bad_outcome", _clip(raw_outcome)))
            continue
        if (key.lower(), date) in seen:
            continue
        seen.add((key.lower(), date))
        out.rows.append(SolvedRow(number, key, date, outcome))
    if not out.rows and not out.errors:
        out.errors.append(RowError(0, "empty"))
    return out
