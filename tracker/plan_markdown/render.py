"""Write a `PlanDocument` back as markdown in the format `parse_plan` reads.

The output is canonical, not a copy of the input: tracks as `#`/`##` headings, sections as `**bold**`
lines, items as `- [x] YYYY/MM/DD title` with children indented two spaces per level, resources and notes
as they came. Parsing the output gives the same document (line numbers aside), and rendering that again
gives the same text, so exporting twice never drifts.
"""

from __future__ import annotations

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
from tracker.plan_markdown.parse import read_item_text


def format_date(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def _item_text(item: Item) -> str:
    if item.start is None:
        return item.title
    dates = format_date(item.start)
    if item.end is not None:
        dates = f"{dates} - {format_date(item.end)}"
    first = f"{dates} {item.title}".rstrip()
    # The date goes first, unless the title would then be misread: a title that itself starts with
    # "- 2021/01/01" would turn the date into a range. Putting the date last reads back unambiguously.
    for candidate in (first, f"{item.title} {dates}"):
        try:
            if read_item_text(candidate, line=0) == (item.start, item.end, item.title):
                return candidate
        except PlanImportError:
            continue
    return first


def _item_lines(item: Item) -> list[str]:
    text = _item_text(item)
    box = "- [x]" if item.done else "- [ ]"
    lines = ["  " * item.depth + (f"{box} {text}" if text else box)]
    for child in item.children:
        lines.extend(_item_lines(child))
    return lines


def resource_line(resource: Resource) -> str:
    """A link as written on a line of its own: bare, `[text](url)` or `![alt](url)`."""
    if resource.kind is ResourceKind.URL:
        return resource.url
    bang = "!" if resource.kind is ResourceKind.IMAGE else ""
    return f"{bang}[{resource.text or ''}]({resource.url})"


class _Writer:
    """Collects paragraphs (runs of lines) and joins them with one blank line."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = []

    def start(self, *lines: str) -> None:
        self.paragraphs.append(list(lines))

    def extend(self, *lines: str) -> None:
        if self.paragraphs:
            self.paragraphs[-1].extend(lines)
        else:
            self.start(*lines)

    def blocks(self, blocks: tuple[Block, ...] | tuple[Note, ...]) -> None:
        previous: Block | None = None
        for block in blocks:
            if isinstance(block, Item):
                lines = _item_lines(block)
                # Items stay one list; a blank line only where something else came between.
                if isinstance(previous, Item):
                    self.extend(*lines)
                else:
                    self.start(*lines)
            else:
                line = block.text if isinstance(block, Note) else resource_line(block)
                if block.joined and previous is not None and not isinstance(previous, Item):
                    self.extend(line)
                else:
                    self.start(line)
            previous = block

    def text(self) -> str:
        if not self.paragraphs:
            return ""
        return "\n\n".join("\n".join(lines) for lines in self.paragraphs) + "\n"


def _write_section(writer: _Writer, section: ParsedSection) -> None:
    if section.title is not None:
        writer.start(f"**{section.title}**")
    writer.blocks(section.blocks)


def _write_track(writer: _Writer, track: ParsedTrack) -> None:
    writer.start(f"{'#' * track.level} {track.title}")
    for section in track.sections:
        _write_section(writer, section)


def render_plan(doc: PlanDocument) -> str:
    """The document as markdown, ending with a newline (empty text for an empty document)."""
    writer = _Writer()
    writer.blocks(doc.preamble_notes)
    for track in doc.tracks:
        _write_track(writer, track)
    return writer.text()
