"""The typed document a markdown study plan parses into, and renders from.

Plain frozen dataclasses with no Django in sight: a later step maps them to rows. Order is data here: a
section keeps its items, links and notes as one ordered tuple of blocks, because a faithful export must put
a link back between the same two items it came between.

Every element carries the 1-based line it came from, so an import report can point the learner at the
exact line; `without_lines` drops them where two documents are compared for content only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PlanImportError(ValueError):
    """A plan file that cannot be imported; `message` says what is wrong and what to do about it.

    `line` is the 1-based line the problem is on, or None where it concerns the whole file (its size, say).
    Raised by both decoding and parsing, so a caller catches one type and shows one kind of message.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Note:
    """A line kept as written because no rule gave it a meaning (prose, plain bullets, rules `---` ...).

    `joined` is true when the line sat directly under the previous note or resource, with no blank line
    between: exporting keeps such lines together, so a paragraph or a numbered list stays one piece.
    """

    text: str
    line: int
    joined: bool = False


class ResourceKind(StrEnum):
    URL = "url"  # a bare address on its own line
    LINK = "link"  # [text](url)
    IMAGE = "image"  # ![alt](url)


@dataclass(frozen=True, slots=True)
class Resource:
    """A link on its own line under a heading; `text` is the link text or image alt, None for a bare URL."""

    url: str
    kind: ResourceKind
    line: int
    text: str | None = None
    joined: bool = False


@dataclass(frozen=True, slots=True)
class Item:
    """A checkbox line. `start` is the plan entry date (the day it was done, when `done`); `end` is set
    only for a range `2021/11/17 - 2021/11/30`. A dated item with an empty title is a day left to fill.

    `depth` is the nesting level (0 for a top-level item) and `children` the checkbox lines indented under
    it, in order.
    """

    title: str
    done: bool
    line: int
    start: date | None = None
    end: date | None = None
    is_deadline: bool = False
    depth: int = 0
    children: tuple[Item, ...] = ()

    @property
    def is_empty_day(self) -> bool:
        return self.start is not None and not self.title

    def walk(self) -> Iterator[Item]:
        """This item, then its descendants depth first (the order they appear in the file)."""
        yield self
        for child in self.children:
            yield from child.walk()


Block = Item | Resource | Note


@dataclass(frozen=True, slots=True)
class ParsedSection:
    """A `**bold**` line or `###` heading and what follows it up to the next one.

    The part of a track before its first such line is a section too, with `title` and `line` None; it is
    present only when it holds something.
    """

    title: str | None
    line: int | None
    blocks: tuple[Block, ...] = ()

    @property
    def items(self) -> tuple[Item, ...]:
        """Top-level items only; see `all_items` for their children too."""
        return tuple(block for block in self.blocks if isinstance(block, Item))

    def all_items(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()

    @property
    def resources(self) -> tuple[Resource, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Resource))

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Note))


@dataclass(frozen=True, slots=True)
class ParsedTrack:
    """A `#` or `##` heading (`level` 1 or 2) and its sections, up to the next `#`/`##` heading.

    A `#` track followed by `##` tracks is kept as a track of its own (it may hold only notes); the `##`
    tracks after it are its neighbours in `PlanDocument.tracks`, and their `level` says they sit under it.
    """

    title: str
    level: int
    line: int
    sections: tuple[ParsedSection, ...] = ()

    def section(self, title: str | None) -> ParsedSection:
        """The first section with this title (None: the part before the first section); KeyError if none."""
        for section in self.sections:
            if section.title == title:
                return section
        raise KeyError(title)

    def all_items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.all_items()

    @property
    def resources(self) -> tuple[Resource, ...]:
        """Resources of every section, in order."""
        return tuple(resource for section in self.sections for resource in section.resources)

    @property
    def notes(self) -> tuple[Note, ...]:
        """Notes of every section, in order."""
        return tuple(note for section in self.sections for note in section.notes)


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """A whole plan: the notes before its first heading, then its tracks in file order."""

    preamble_notes: tuple[Note, ...] = ()
    tracks: tuple[ParsedTrack, ...] = ()

    def track(self, title: str) -> ParsedTrack:
        """The first track with this title; KeyError if none."""
        for track in self.tracks:
            if track.title == title:
                return track
        raise KeyError(title)

    def without_lines(self) -> PlanDocument:
        """The same document with every line number set to 0, to compare two documents by content."""
        return without_lines(self)


def _item_without_lines(item: Item) -> Item:
    return dataclasses.replace(item, line=0, children=tuple(_item_without_lines(c) for c in item.children))


def _block_without_lines(block: Block) -> Block:
    if isinstance(block, Item):
        return _item_without_lines(block)
    return dataclasses.replace(block, line=0)


def without_lines(doc: PlanDocument) -> PlanDocument:
    """`doc` with every line number set to 0 (a section's None line stays None)."""
    return PlanDocument(
        preamble_notes=tuple(dataclasses.replace(note, line=0) for note in doc.preamble_notes),
        tracks=tuple(
            dataclasses.replace(
                track,
                line=0,
                sections=tuple(
                    dataclasses.replace(
                        section,
                        line=None if section.line is None else 0,
                        blocks=tuple(_block_without_lines(block) for block in section.blocks),
                    )
                    for section in track.sections
                ),
            )
            for track in doc.tracks
        ),
    )


def all_notes(doc: PlanDocument) -> Iterator[Note]:
    """Every note, the preamble's first, in file order."""
    yield from doc.preamble_notes
    for track in doc.tracks:
        yield from track.notes


def unclassified_lines(doc: PlanDocument) -> list[tuple[int, str]]:
    """(line number, original text) of each line kept as a note, for the import report to list."""
    return sorted((note.line, note.text) for note in all_notes(doc))


def source_lines(doc: PlanDocument) -> list[int]:
    """The line of every element (heading, item, resource, note), one entry per element, sorted.

    A parsed document accounts for each non-blank input line exactly once, so this equals the list of
    non-blank line numbers: the check that nothing was dropped or counted twice.
    """
    lines = [note.line for note in doc.preamble_notes]
    for track in doc.tracks:
        lines.append(track.line)
        for section in track.sections:
            if section.line is not None:
                lines.append(section.line)
            for block in section.blocks:
                if isinstance(block, Item):
                    lines.extend(item.line for item in block.walk())
                else:
                    lines.append(block.line)
    return sorted(lines)
