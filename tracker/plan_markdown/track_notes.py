"""How an imported track keeps the lines of its plan that are not items, so export can put them back.

`Track.notes` holds them as markdown: the note lines verbatim, in file order, grouped in runs that each
start with an HTML comment naming where the run goes (invisible wherever the notes are shown as markdown):

    <!-- plan: heading ## -->             the track was a `##` heading (no marker: `#`)
    <!-- plan: before the heading -->     notes before the file's first heading (kept on the first track)
    <!-- plan: after the heading -->      notes right under the track heading, before any section or item
    <!-- plan: after s2 -->               notes right under section s2's bold line
    <!-- plan: after s2.3 -->             notes right after block s2.3 (an item with its children, or a link)
    <!-- plan: after s2.3, joined -->     ... and the first note sat directly under that link, no blank line

Inside a run, a blank line between two notes means they were separate paragraphs; no blank line means the
second sat directly under the first (`Note.joined`). A note line that itself reads like one of these
markers is written after a `<!-- plan: literal -->` line, which makes the next line plain text.

Lines before any marker (notes typed into the track outside an import) belong at the end of the track.
Pure code, no Django: the import service writes this format and the export service reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.plan_markdown.model import Note

HEADING_ANCHOR = "the heading"
_ANCHOR = rf"(?:{HEADING_ANCHOR}|[A-Za-z0-9._-]+)"
_MARKER = re.compile(
    rf"^<!-- plan: (?:(?P<level2>heading ##)|(?P<literal>literal)|(?P<preamble>before the heading)"
    rf"|after (?P<anchor>{_ANCHOR})(?P<joined>, joined)?) -->$"
)


@dataclass
class NoteRun:
    """Notes that go together after one anchor: a block key, `HEADING_ANCHOR`, or None (the preamble)."""

    anchor: str | None
    notes: list[Note] = field(default_factory=list)


@dataclass
class TrackNotes:
    """The decoded `Track.notes`: heading level, preamble notes, notes by anchor, and unanchored notes."""

    level: int = 1
    preamble: list[Note] = field(default_factory=list)
    after: dict[str, list[Note]] = field(default_factory=dict)
    loose: list[Note] = field(default_factory=list)


def _note_lines(notes: list[Note]) -> list[str]:
    lines: list[str] = []
    for index, note in enumerate(notes):
        if index > 0 and not note.joined:
            lines.append("")
        if _MARKER.match(note.text):
            lines.append("<!-- plan: literal -->")
        lines.append(note.text)
    return lines


def encode_track_notes(*, level: int, runs: list[NoteRun]) -> str:
    """`Track.notes` for a track of this heading level with these runs (an anchor of None: the preamble)."""
    paragraphs: list[list[str]] = []
    if level == 2:
        paragraphs.append(["<!-- plan: heading ## -->"])
    for run in runs:
        if not run.notes:
            continue
        if run.anchor is None:
            marker = "<!-- plan: before the heading -->"
        else:
            joined = ", joined" if run.notes[0].joined else ""
            marker = f"<!-- plan: after {run.anchor}{joined} -->"
        paragraphs.append([marker, *_note_lines(run.notes)])
    return "\n\n".join("\n".join(lines) for lines in paragraphs)


def decode_track_notes(text: str) -> TrackNotes:
    """Reads `Track.notes` back; lines before any marker (or anything unknown) come back as `loose`."""
    result = TrackNotes()
    target = result.loose
    joined_next = False
    literal = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if literal:
            target.append(Note(text=line, line=0, joined=joined_next))
            literal = False
            joined_next = True
            continue
        if not line.strip():
            joined_next = False
            continue
        marker = _MARKER.match(line)
        if marker is None:
            target.append(Note(text=line, line=0, joined=joined_next))
            joined_next = True
        elif marker["level2"]:
            result.level = 2
        elif marker["literal"]:
            literal = True
        elif marker["preamble"]:
            target = result.preamble
            joined_next = False
        else:
            target = result.after.setdefault(marker["anchor"], [])
            joined_next = bool(marker["joined"])
    return result
