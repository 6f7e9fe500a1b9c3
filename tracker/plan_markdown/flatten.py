"""A markdown plan flattened to the rows an import writes: one `TrackPlan` per heading, its items as `Row`s
in study order. Pure code, no Django: the import service (tracker/services/plan_import.py, whose docstring
gives the whole mapping) reads the file with `flatten_plan` before it touches the database.

- A `**bold**` / `###` section is a row of kind "section" (depth 0, 0 minutes) with the section's items and
  links as children; items before the first section are top-level. Checkbox items are "topic", deadlines
  and date-only days "milestone"; a link on its own line is a "resource" with its url (how it was written
  is kept in `external_id` as "md:<form>[:empty][:joined]").
- Keys are positions: section n is "s<n>", its k-th item or link "s<n>.<k>", nested items "s<n>.<k>.<j>";
  the part before the first section is "s0" (no row of its own). Rows are in depth-first file order.
- Lines that are neither are kept in the track's notes (tracker/plan_markdown/track_notes.py); a link too
  long to keep as a link becomes a note too, with a warning. A title too long to keep is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from tracker.plan_markdown.decode import decode_plan_bytes
from tracker.plan_markdown.model import (
    Item,
    Note,
    ParsedTrack,
    PlanDocument,
    PlanImportError,
    Resource,
    ResourceKind,
    unclassified_lines,
)
from tracker.plan_markdown.parse import parse_plan
from tracker.plan_markdown.render import format_date, resource_line
from tracker.plan_markdown.track_notes import HEADING_ANCHOR, NoteRun, encode_track_notes

TITLE_MAX = 300  # Track.title, Item.title, Deadline.title
URL_MAX = 500  # Item.url
ITEM_MINUTES = 30


class RowKind(StrEnum):
    """The kind of item a row becomes: values of tracker.models.Item.Kind."""

    SECTION = "section"
    TOPIC = "topic"
    MILESTONE = "milestone"
    RESOURCE = "resource"


class TrackKind(StrEnum):
    """The kind of track a heading becomes: values of tracker.models.Track.Kind."""

    READING_LIST = "reading_list"
    PROJECT = "project"


@dataclass
class Row:
    key: str
    parent_key: str | None
    depth: int
    kind: RowKind
    title: str
    title_en: str
    url: str = ""
    external_id: str = ""
    minutes: int = ITEM_MINUTES
    checkbox: Item | None = None  # the checkbox item, for its state and dates

    @property
    def last_day(self) -> dt.date | None:
        if self.checkbox is None:
            return None
        return self.checkbox.end or self.checkbox.start


@dataclass
class TrackPlan:
    parsed: ParsedTrack
    index: int  # 1-based, in file order
    rows: list[Row]
    notes: str
    kind: TrackKind

    @property
    def checkboxes(self) -> list[tuple[Row, Item]]:
        return [(row, row.checkbox) for row in self.rows if row.checkbox is not None]

    def dates(self) -> list[dt.date]:
        return [day for _, item in self.checkboxes for day in (item.start, item.end) if day is not None]

    def all_leaves_done(self) -> bool:
        leaves = [item for _, item in self.checkboxes if not item.children]
        return bool(leaves) and all(leaf.done for leaf in leaves)


@dataclass
class FlatPlan:
    """The tracks to write, the lines kept as notes (line number, text) and the warnings, in file order."""

    tracks: list[TrackPlan]
    notes: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def flatten_plan(data: bytes, *, max_bytes: int) -> FlatPlan:
    """Decodes, parses and flattens a plan file. Raises `PlanImportError` naming the line for a file that
    cannot be imported: not UTF-8, too large, without a heading, or with a title too long to keep."""
    doc = _read(data, max_bytes)
    flattener = _Flattener()
    tracks = [
        flattener.track(parsed, index, doc.preamble_notes if index == 1 else ())
        for index, parsed in enumerate(doc.tracks, start=1)
    ]
    notes = sorted(unclassified_lines(doc) + flattener.extra_notes)
    return FlatPlan(tracks=tracks, notes=notes, warnings=flattener.warnings)


def _check_title(title: str, line: int | None, what: str) -> None:
    if len(title) > TITLE_MAX:
        raise PlanImportError(
            f"Line {line}: the {what} is {len(title)} characters long; Brainqueue keeps titles of up to "
            f"{TITLE_MAX}. Shorten it (or move the detail to a line of its own) and import the plan again.",
            line=line,
        )


class _Flattener:
    def __init__(self) -> None:
        self.extra_notes: list[tuple[int, str]] = []
        self.warnings: list[str] = []

    def track(self, parsed: ParsedTrack, index: int, preamble: tuple[Note, ...]) -> TrackPlan:
        _check_title(parsed.title, parsed.line, "heading")
        rows: list[Row] = []
        runs: list[NoteRun] = [NoteRun(anchor=None, notes=list(preamble))]
        section_number = 0
        for section in parsed.sections:
            if section.title is None:
                prefix, parent_key, depth, anchor = "s0", None, 0, HEADING_ANCHOR
            else:
                _check_title(section.title, section.line, "section title")
                section_number += 1
                prefix, parent_key, depth, anchor = f"s{section_number}", f"s{section_number}", 1, f"s{section_number}"
                title = section.title
                rows.append(
                    Row(
                        key=prefix,
                        parent_key=None,
                        depth=0,
                        kind=RowKind.SECTION,
                        title=title,
                        title_en=title,
                        minutes=0,
                    )
                )
            number = 0
            for block in section.blocks:
                if isinstance(block, Resource) and (len(block.url) > URL_MAX or len(block.text or "") > TITLE_MAX):
                    text = resource_line(block)
                    self.warnings.append(
                        f"Line {block.line}: the link is too long to keep as a link (over {URL_MAX} characters); "
                        "it is kept as a note."
                    )
                    self.extra_notes.append((block.line, text))
                    block = Note(text=text, line=block.line, joined=block.joined)
                if isinstance(block, Note):
                    if runs[-1].anchor != anchor:
                        runs.append(NoteRun(anchor=anchor))
                    runs[-1].notes.append(block)
                    continue
                number += 1
                key = f"{prefix}.{number}"
                if isinstance(block, Resource):
                    rows.append(self._resource_row(block, key, parent_key, depth))
                else:
                    self._item_rows(block, key, parent_key, depth, rows)
                anchor = key
        has_items = any(row.checkbox is not None for row in rows)
        has_links = any(row.kind == RowKind.RESOURCE for row in rows)
        kind = TrackKind.READING_LIST if has_links and not has_items else TrackKind.PROJECT
        notes = encode_track_notes(level=parsed.level, runs=runs)
        return TrackPlan(parsed=parsed, index=index, rows=rows, notes=notes, kind=kind)

    def _resource_row(self, resource: Resource, key: str, parent_key: str | None, depth: int) -> Row:
        form = f"md:{resource.kind.value}"
        if resource.kind is not ResourceKind.URL and not resource.text:
            form += ":empty"
        if resource.joined:
            form += ":joined"
        title = resource.text or resource.url
        return Row(
            key=key,
            parent_key=parent_key,
            depth=depth,
            kind=RowKind.RESOURCE,
            title=title,
            title_en=title,
            url=resource.url,
            external_id=form,
        )

    def _item_rows(self, item: Item, key: str, parent_key: str | None, depth: int, rows: list[Row]) -> None:
        _check_title(item.title, item.line, "item")
        milestone = item.is_deadline or item.is_empty_day
        title_en = item.title or (format_date(item.start) if item.start else "")
        kind = RowKind.MILESTONE if milestone else RowKind.TOPIC
        rows.append(
            Row(
                key=key,
                parent_key=parent_key,
                depth=depth,
                kind=kind,
                title=item.title,
                title_en=title_en,
                checkbox=item,
            )
        )
        for number, child in enumerate(item.children, start=1):
            self._item_rows(child, f"{key}.{number}", key, depth + 1, rows)


def _read(data: bytes, max_bytes: int) -> PlanDocument:
    doc = parse_plan(decode_plan_bytes(data, max_bytes=max_bytes))
    if not doc.tracks:
        first = doc.preamble_notes[0].line if doc.preamble_notes else None
        where = f" (its first line with text is line {first})" if first is not None else ""
        raise PlanImportError(
            f"The file has no `#` or `##` heading, so there is no track to import its lines into{where}. "
            "Start the plan with a heading line such as `# My plan` and import it again.",
            line=first,
        )
    return doc
