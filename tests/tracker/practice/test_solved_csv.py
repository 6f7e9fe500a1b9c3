"""Reading a CSV of solved problems (tracker/practice/solved_csv.py): the file is hostile."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.practice.solved_csv import MAX_BYTES, MAX_COLUMNS, MAX_LINE_CHARS, MAX_ROWS, read_solved_csv

TODAY = dt.date(2026, 3, 2)


def codes(data: bytes) -> list[tuple[int, str]]:
    return [(e.line, e.code) for e in read_solved_csv(data, today=TODAY).errors]


def test_a_plain_file_with_a_header_reads_every_row_in_its_columns():
    data = b"date,outcome,slug\n2024-01-02,hints,two-sum\n2024/1/3,,Valid Anagram\n"
    parsed = read_solved_csv(data, today=TODAY)
    assert not parsed.errors
    assert [(r.line, r.key, r.date, r.outcome) for r in parsed.rows] == [
        (2, "two-sum", dt.date(2024, 1, 2), "solved_with_hints"),
        (3, "Valid Anagram", dt.date(2024, 1, 3), "solved_alone"),
    ]


def test_without_a_header_the_columns_are_problem_date_outcome_and_a_bom_is_fine():
    parsed = read_solved_csv("\ufefftwo-sum,2024-01-02 10:30,not solved\n\n两数之和,2024-01-03\n".encode(), today=TODAY)
    assert [(r.line, r.key, r.outcome) for r in parsed.rows] == [
        (1, "two-sum", "not_solved"),
        (3, "两数之和", "solved_alone"),
    ]


def test_bad_rows_are_each_reported_with_their_line_and_good_rows_still_read():
    data = (
        b"slug,date,outcome\n"
        b"two-sum,yesterday\n"
        b'=HYPERLINK("http://evil"),2024-01-02\n'
        b",2024-01-02\n"
        b"two-sum,2030-01-01\n"
        b"two-sum,2024-01-02,maybe\n"
        b"@SUM(A1),2024-01-02\n"
        b"valid-anagram,2024-02-30\n"
        b"contains-duplicate,2024-01-05\n"
    )
    assert codes(data) == [
        (2, "bad_date"),
        (3, "formula"),
        (4, "no_problem"),
        (5, "date_out_of_range"),
        (6, "bad_outcome"),
        (7, "formula"),
        (8, "bad_date"),
    ]
    assert [r.key for r in read_solved_csv(data, today=TODAY).rows] == ["contains-duplicate"]


def test_whole_file_problems_stop_before_any_row():
    assert codes(b"x" * (MAX_BYTES + 1)) == [(0, "too_big")]
    assert codes(b"two-sum,2024-01-02\n\xff\xfe\n") == [(0, "not_utf8")]
    assert codes(b"two-sum,2024-01-02\x00\n") == [(0, "nul_bytes")]
    assert codes(b"two-sum,2024-01-02\n" * (MAX_ROWS + 2)) == [(0, "too_many_rows")]
    assert codes(b"\n\n") == [(0, "empty")]


def test_huge_rows_and_too_many_cells_are_refused():
    assert codes(b"two-sum," + b"9" * MAX_LINE_CHARS + b"\n") == [(1, "line_too_long")]
    assert codes(b"two-sum,2024-01-02" + b",x" * MAX_COLUMNS + b"\n") == [(1, "too_many_columns")]


def test_the_same_problem_and_date_twice_count_once():
    parsed = read_solved_csv(b"two-sum,2024-01-02\nTWO-SUM,2024-01-02\ntwo-sum,2024-01-03\n", today=TODAY)
    assert [r.line for r in parsed.rows] == [1, 3]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_give_rows_or_errors_never_an_exception(data):
    parsed = read_solved_csv(data, today=TODAY)
    assert parsed.rows or parsed.errors
    for row in parsed.rows:
        assert row.key and not row.key.startswith(("=", "+", "-", "@")) and row.date <= TODAY
