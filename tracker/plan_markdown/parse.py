"""Read a markdown study plan into a `PlanDocument`, line by line, dropping nothing.

Each non-blank line becomes exactly one element, decided by the first rule that fits:

1. Inside a fenced code block (``` or ~~~), and the fence lines themselves: a note, so a `#` in code
   never starts a track.
2. `#` / `##` heading: a track. `###` and deeper: a section of the current track. `**` is removed from
   heading text; a heading with no text left is a note.
3. Before the first track: a preamble note (items and links need a track to belong to).
4. A line that is only bold text (`**Week 1**`): a section.
5. `- [ ]` / `- [x]` (also `*` and `+`): an item; indented ones are children of the item above them.
   Dates before the text, after it or alone, single or as a range, are the item's dates.
6. A bare http(s) URL, `[text](url)` or `![alt](url)` alone on its line: a resource.
7. Anything else (prose, plain bullets, numbered lists, `~~struck~~` text, `---`): a note, verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.plan_markdown.model import (
    Block,
    Item,
    Note,
    ParsedSection,
    ParsedTrack,
    PlanDocument,
    PlanImportError,
    Resource,
    ResourceKind,
)

# Words that make a dated item a deadline rather than a study entry: submissions, exams, sign-ups and the
# first or last lecture of a course (fixed dates the learner cannot move). Chinese words match anywhere in
# the title, since Chinese has no spaces between words; English ones match as whole words, so "due" does
# not fire inside "procedure" nor "exam" inside "example".
DEADLINE_WORDS: tuple[str, ...] = (
    "投稿",  # paper submission
    "截止",  # deadline
    "截至",  # deadline (the variant spelling learners use)
    "考试",  # exam
    "笔试",  # written exam
    "机试",  # computer-based exam
    "面试",  # interview
    "答辩",  # thesis defence
    "报名",  # registration
    "期中",  # midterm
    "期末",  # final (term end)
    "开课",  # course starts
    "结课",  # course ends
    "deadline",
    "ddl",
    "due",
    "exam",
    "exams",
    "midterm",
    "submission",
)


def _word_pattern(word: str) -> str:
    if word.isascii():
        return rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])"
    return re.escape(word)


_DEADLINE = re.compile("|".join(_word_pattern(word) for word in DEADLINE_WORDS), re.IGNORECASE)


def _date_pattern(name: str) -> str:
    # 2021/03/09, 2021/3/9 or 2021-03-09; the separator must not change within one date.
    return rf"(?P<{name}>[0-9]{{4}}(?P<{name}_sep>[/-])[0-9]{{1,2}}(?P={name}_sep)[0-9]{{1,2}})(?![0-9])"


_DATE_SEPARATOR = re.compile(r"[/-]")
_DATES = rf"{_date_pattern('start')}(?:\s*-\s*{_date_pattern('end')})?"
# A date touching one of these is part of something else (a version, a path, a time), not a date. CJK
# characters may touch it: learners write `矩阵加法2021/4/07`.
_NOT_AT_EDGE = r"0-9A-Za-z/.\-:"
_DATES_FIRST = re.compile(rf"^{_DATES}(?![{_NOT_AT_EDGE}])")
_DATES_LAST = re.compile(rf"(?<![{_NOT_AT_EDGE}]){_DATES}\s*$")

_HEADING = re.compile(r"^(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*))?$")
_BOLD_LINE = re.compile(r"^\*\*(?P<text>.*)\*\*$")
_CHECKBOX = re.compile(r"^(?P<indent>[ \t]*)[-*+][ \t]+\[(?P<mark>[ xX])\](?:[ \t]+(?P<text>.*))?$")
_BARE_URL = re.compile(r"^https?://\S+$")
_LINK = re.compile(r"^(?P<image>!)?\[(?P<text>[^\]]*)\]\((?P<url>\S+)\)$")
_FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})")


def is_deadline_text(title: str) -> bool:
    """Whether an item's title reads as a deadline (see `DEADLINE_WORDS`)."""
    return _DEADLINE.search(title) is not None


def _to_date(text: str, line: int) -> date:
    year, month, day = (int(part) for part in _DATE_SEPARATOR.split(text))
    try:
        return date(year, month, day)
    except ValueError:
        raise PlanImportError(
            f"Line {line}: {text} is not a real date (there is no such day). "
            "Correct the date on that line and import the plan again.",
            line=line,
        ) from None


def read_item_text(text: str, *, line: int) -> tuple[date | None, date | None, str]:
    """Split the text after an item's checkbox into (start, end, title).

    A date (or range) at the start wins over one at the end; a date alone leaves an empty title.
    Raises `PlanImportError` naming `line` for an impossible date or a range that ends before it starts.
    """
    text = text.strip()
    match = _DATES_FIRST.match(text)
    if match is not None:
        title = text[match.end() :].strip()
    else:
        match = _DATES_LAST.search(text)
        if match is None:
            return None, None, text
        title = text[: match.start()].strip()
    start = _to_date(match["start"], line)
    end = _to_date(match["end"], line) if match["end"] is not None else None
    if end is not None and end < start:
        raise PlanImportError(
            f"Line {line}: the range {match['start']} - {match['end']} ends before it starts. "
            "Swap the two dates and import the plan again.",
            line=line,
        )
    return start, end, title


def _heading_title(text: str | None) -> str:
    return (text or "").replace("**", "").strip()


def _has_text(title: str) -> bool:
    # A title of only stars would export as a `*****` line, which reads back as a rule, not a heading.
    return any(not char.isspace() and char != "*" for char in title)


def _indent_width(indent: str) -> int:
    width = 0
    for char in indent:
        width = width + 4 - width % 4 if char == "\t" else width + 1
    return width


@dataclass
class _ItemDraft:
    title: str
    done: bool
    line: int
    start: date | None
    end: date | None
    depth: int
    children: list[_ItemDraft] = field(default_factory=list)

    def freeze(self) -> Item:
        return Item(
            title=self.title,
            done=self.done,
            line=self.line,
            start=self.start,
            end=self.end,
            is_deadline=self.start is not None and is_deadline_text(self.title),
            depth=self.depth,
            children=tuple(child.freeze() for child in self.children),
        )


@dataclass
class _SectionDraft:
    title: str | None
    line: int | None
    blocks: list[_ItemDraft | Resource | Note] = field(default_factory=list)

    def freeze(self) -> ParsedSection:
        blocks: list[Block] = [block.freeze() if isinstance(block, _ItemDraft) else block for block in self.blocks]
        return ParsedSection(title=self.title, line=self.line, blocks=tuple(blocks))


@dataclass
class _TrackDraft:
    title: str
    level: int
    line: int
    sections: list[_SectionDraft]

    def freeze(self) -> ParsedTrack:
        # The untitled part before the first section exists only when something is in it.
        sections = [s for s in self.sections if s.title is not None or s.blocks]
        return ParsedTrack(
            title=self.title,
            level=self.level,
            line=self.line,
            sections=tuple(section.freeze() for section in sections),
        )


class _Parser:
    def __init__(self) -> None:
        self.preamble: list[Note] = []
        self.tracks: list[_TrackDraft] = []
        # Open items by indent width: the parent of an indented checkbox is the nearest shallower one.
        self.open_items: list[tuple[int, _ItemDraft]] = []
        self.fence: str | None = None
        self.previous_line = 0
        # Whether the previous element was a note or resource of the same block list: only then can the
        # next one be "joined" to it.
        self.previous_was_text = False

    def feed(self, number: int, line: str) -> None:
        stripped = line.strip()
        if self.fence is not None:
            if stripped.startswith(self.fence) and not stripped.strip(self.fence[0]):
                self.fence = None
            self._note(number, line)
            return
        fence = _FENCE.match(line)
        # "```code```" on one line is inline code, not the start of a block.
        if fence is not None and not (fence["fence"][0] == "`" and "`" in line[fence.end() :]):
            self.fence = fence["fence"]
            self._note(number, line)
            return
        heading = _HEADING.match(stripped)
        if heading is not None and _has_text(title := _heading_title(heading["text"])):
            level = len(heading["marks"])
            if level <= 2:
                self._start_track(number, title, level)
                return
            if self.tracks:
                self._start_section(number, title)
                return
        if not self.tracks:
            self._note(number, line)
            return
        bold = _BOLD_LINE.match(stripped)
        if bold is not None and "**" not in bold["text"] and _has_text(title := bold["text"].strip()):
            self._start_section(number, title)
            return
        checkbox = _CHECKBOX.match(line)
        if checkbox is not None:
            self._item(number, checkbox)
            return
        resource = self._resource(number, stripped)
        if resource is not None:
            self._block(number, resource)
            return
        self._note(number, line)

    def _section(self) -> _SectionDraft:
        return self.tracks[-1].sections[-1]

    def _joined(self, number: int) -> bool:
        return self.previous_was_text and self.previous_line == number - 1

    def _start_track(self, number: int, title: str, level: int) -> None:
        self.tracks.append(_TrackDraft(title, level, number, [_SectionDraft(None, None)]))
        self._after_structure(number)

    def _start_section(self, number: int, title: str) -> None:
        self.tracks[-1].sections.append(_SectionDraft(title, number))
        self._after_structure(number)

    def _after_structure(self, number: int) -> None:
        self.open_items.clear()
        self.previous_line = number
        self.previous_was_text = False

    def _note(self, number: int, line: str) -> None:
        note = Note(text=line, line=number, joined=self._joined(number))
        if self.tracks:
            self._block(number, note)
        else:
            self.preamble.append(note)
            self.previous_line = number
            self.previous_was_text = True

    def _block(self, number: int, block: Resource | Note) -> None:
        self._section().blocks.append(block)
        self.open_items.clear()
        self.previous_line = number
        self.previous_was_text = True

    def _resource(self, number: int, stripped: str) -> Resource | None:
        joined = self._joined(number)
        if _BARE_URL.match(stripped):
            return Resource(url=stripped, kind=ResourceKind.URL, line=number, joined=joined)
        link = _LINK.match(stripped)
        if link is None:
            return None
        kind = ResourceKind.IMAGE if link["image"] else ResourceKind.LINK
        return Resource(url=link["url"], kind=kind, line=number, text=link["text"], joined=joined)

    def _item(self, number: int, checkbox: re.Match[str]) -> None:
        start, end, title = read_item_text(checkbox["text"] or "", line=number)
        indent = _indent_width(checkbox["indent"])
        while self.open_items and self.open_items[-1][0] >= indent:
            self.open_items.pop()
        parent = self.open_items[-1][1] if self.open_items else None
        draft = _ItemDraft(
            title=title,
            done=checkbox["mark"] != " ",
            line=number,
            start=start,
            end=end,
            depth=0 if parent is None else parent.depth + 1,
        )
        if parent is None:
            self._section().blocks.append(draft)
        else:
            parent.children.append(draft)
        self.open_items.append((indent, draft))
        self.previous_line = number
        self.previous_was_text = False

    def document(self) -> PlanDocument:
        return PlanDocument(
            preamble_notes=tuple(self.preamble),
            tracks=tuple(track.freeze() for track in self.tracks),
        )


def parse_plan(text: str) -> PlanDocument:
    """Parse a plan's text (as `decode_plan_bytes` returns it) into a `PlanDocument`.

    Raises `PlanImportError` naming the line for an impossible date in an item.
    """
    parser = _Parser()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if line.strip():
            parser.feed(number, line)
    return parser.document()
