"""Flattening a parsed plan into the rows an import writes: keys, kinds, depths and notes, without a database."""

from __future__ import annotations

import pytest

from tracker.models import Item, Track
from tracker.plan_markdown import PlanImportError
from tracker.plan_markdown.flatten import TITLE_MAX, RowKind, TrackKind, flatten_plan

PLAN = """# Plan
- [ ] 2021/03/01 before any section
**Week 1**
- [x] 2021/03/02 read chapter 1
  - [x] exercises
- [ ] 2021/03/05 考试 deadline
[Paper](https://arxiv.org/abs/1)
A line that is neither.
"""


def flat(text: str):
    return flatten_plan(text.encode(), max_bytes=100_000)


def test_rows_are_keyed_by_position_in_depth_first_file_order():
    (track,) = flat(PLAN).tracks
    rows = [(row.key, row.parent_key, row.depth, row.kind) for row in track.rows]
    assert rows == [
        ("s0.1", None, 0, RowKind.TOPIC),
        ("s1", None, 0, RowKind.SECTION),
        ("s1.1", "s1", 1, RowKind.TOPIC),
        ("s1.1.1", "s1.1", 2, RowKind.TOPIC),
        ("s1.2", "s1", 1, RowKind.MILESTONE),
        ("s1.3", "s1", 1, RowKind.RESOURCE),
    ]
    assert track.kind is TrackKind.PROJECT
    assert track.rows[1].minutes == 0 and track.rows[2].minutes > 0
    assert track.rows[5].url == "https://arxiv.org/abs/1" and track.rows[5].external_id == "md:link"


def test_a_line_that_is_neither_item_nor_link_is_kept_as_a_note_of_its_track():
    plan = flat(PLAN)
    assert plan.notes == [(8, "A line that is neither.")]
    assert "A line that is neither." in plan.tracks[0].notes
    assert plan.warnings == []


def test_a_heading_with_links_and_no_checkbox_is_a_reading_list():
    (track,) = flat("# Reading\n\n[Paper](https://arxiv.org/abs/1)\nhttps://example.org/x\n").tracks
    assert track.kind is TrackKind.READING_LIST
    assert [row.external_id for row in track.rows] == ["md:link", "md:url:joined"]


def test_a_link_too_long_to_keep_becomes_a_note_with_a_warning_naming_its_line():
    url = "https://example.org/" + "a" * 600
    plan = flat(f"# Links\n\n{url}\n")
    assert plan.tracks[0].rows == []
    assert plan.notes == [(3, url)] and "Line 3" in plan.warnings[0]
    assert url in plan.tracks[0].notes


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f"# T\n\n- [ ] {'x' * (TITLE_MAX + 1)}\n", 3),
        (f"# {'x' * (TITLE_MAX + 1)}\n", 1),
        ("no heading at all\n", 1),
    ],
)
def test_a_plan_that_cannot_be_imported_is_refused_naming_its_line(text, line):
    with pytest.raises(PlanImportError) as error:
        flat(text)
    assert error.value.line == line


def test_row_and_track_kinds_are_the_models_kinds():
    assert {kind.value for kind in RowKind} <= set(Item.Kind.values)
    assert {kind.value for kind in TrackKind} <= set(Track.Kind.values)
