"""Writing a learner's tracks and plan back as a markdown plan, the format `plan_markdown_import` reads.

The learner's own tracks come first (by enrollment priority, then title, then id; tracks they are not
enrolled in after those), then the curated tracks they are enrolled in (by priority). Each track is a
heading (`##` when it was imported from one, else `#`); a top-level item of kind "section" is a `**bold**`
line with its children under it; a link item (kind "resource" with a url, at the top of a section) is
a link line written the way it was imported; every other item is a checkbox, `[x]` when the learner's
progress is done or in review, dated by its pinned plan entry (the earliest, with its end date for a
range), with its children indented under it. The notes kept by the import go back where they came from.

Export is deterministic: the same rows always give the same text. Re-importing an exported curated track
makes an own copy of it (a track with the same title, owned by the learner).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from tracker.models import Enrollment, Item, PlanEntry, Progress, Track, User
from tracker.plan_markdown import (
    Block,
    Note,
    ParsedSection,
    ParsedTrack,
    PlanDocument,
    Resource,
    ResourceKind,
    is_deadline_text,
    render_plan,
)
from tracker.plan_markdown import Item as PlanItem
from tracker.plan_markdown.track_notes import HEADING_ANCHOR, TrackNotes, decode_track_notes


def _ordered_tracks(user: User) -> list[Track]:
    """The tracks to export, in export order. Two queries: enrollments, then tracks."""
    priorities = dict(Enrollment.objects.filter(user=user).values_list("track_id", "priority"))
    tracks = list(Track.objects.filter(Q(owner=user) | Q(pk__in=list(priorities), owner__isnull=True)))
    never = 1 << 30

    def order(track: Track) -> tuple[int, int, str, int]:
        return (0 if track.owner_id is not None else 1, priorities.get(track.pk, never), track.title, track.pk)

    return sorted(tracks, key=order)


@dataclass
class _TrackData:
    items: list[Item] = field(default_factory=list)
    children: dict[int | None, list[Item]] = field(default_factory=lambda: defaultdict(list))


class _Builder:
    def __init__(self, user: User, tracks: Sequence[Track]) -> None:
        track_ids = [track.pk for track in tracks]
        self.data: dict[int, _TrackData] = defaultdict(_TrackData)
        for item in Item.objects.filter(track_id__in=track_ids).order_by("track_id", "position", "id"):
            data = self.data[item.track_id]
            data.items.append(item)
            data.children[item.parent_id].append(item)
        self.done = set(
            Progress.objects.filter(
                user=user, item__track_id__in=track_ids, status__in=Progress.COMPLETED_STATUSES
            ).values_list("item_id", flat=True)
        )
        self.dates: dict[int, tuple[dt.date, dt.date | None]] = {}
        pinned = PlanEntry.objects.filter(
            user=user, item__track_id__in=track_ids, kind=PlanEntry.Kind.NEW, origin=PlanEntry.Origin.PINNED
        ).order_by("item_id", "date", "id")
        for item_id, day, end in pinned.values_list("item_id", "date", "end_date"):
            self.dates.setdefault(item_id, (day, end))

    def checkbox(self, item: Item, children: dict[int | None, list[Item]], depth: int) -> PlanItem:
        start, end = self.dates.get(item.pk, (None, None))
        return PlanItem(
            title=item.title,
            done=item.pk in self.done,
            line=0,
            start=start,
            end=end,
            is_deadline=start is not None and is_deadline_text(item.title),
            depth=depth,
            children=tuple(self.checkbox(child, children, depth + 1) for child in children.get(item.pk, [])),
        )

    def block(self, item: Item, children: dict[int | None, list[Item]]) -> Block:
        if item.kind == Item.Kind.RESOURCE and item.url and not children.get(item.pk):
            return _resource(item)
        return self.checkbox(item, children, 0)

    def track(self, track: Track, notes: TrackNotes) -> ParsedTrack:
        data = self.data[track.pk]
        children = data.children
        leading = ParsedSection(title=None, line=None, blocks=tuple(notes.after.get(HEADING_ANCHOR, ())))
        sections: list[ParsedSection] = [leading]
        for root in children.get(None, []):
            if root.kind == Item.Kind.SECTION:
                sections.append(ParsedSection(title=root.title, line=0, blocks=tuple(notes.after.get(root.key, ()))))
                blocks = [self.block(child, children) for child in children.get(root.pk, [])]
                keys = [child.key for child in children.get(root.pk, [])]
            else:
                # A top-level item after a section can only be written inside that section.
                blocks, keys = [self.block(root, children)], [root.key]
            section = sections[-1]
            extended = list(section.blocks)
            for key, block in zip(keys, blocks, strict=True):
                extended.append(block)
                extended.extend(notes.after.get(key, ()))
            sections[-1] = ParsedSection(title=section.title, line=section.line, blocks=tuple(extended))
        if notes.loose or _orphans(notes, data.items):
            last = sections[-1]
            extra = [*_orphans(notes, data.items), *notes.loose]
            sections[-1] = ParsedSection(title=last.title, line=last.line, blocks=(*last.blocks, *extra))
        if not sections[0].blocks:
            sections.pop(0)
        return ParsedTrack(title=track.title, level=notes.level, line=0, sections=tuple(sections))


def _orphans(notes: TrackNotes, items: list[Item]) -> list[Note]:
    """Notes anchored at an item that is no longer a top-level block (or no longer there): written last."""
    anchors = {HEADING_ANCHOR}
    by_pk = {item.pk: item for item in items}
    for item in items:
        parent = by_pk.get(item.parent_id) if item.parent_id is not None else None
        if item.parent_id is None or (parent is not None and parent.parent_id is None and parent.kind == "section"):
            anchors.add(item.key)
    return [note for anchor, run in sorted(notes.after.items()) if anchor not in anchors for note in run]


def _resource(item: Item) -> Resource:
    """A link item as a link line; `external_id` "md:<form>[:empty][:joined]" says how it was written."""
    parts = item.external_id.split(":") if item.external_id.startswith("md:") else []
    joined = "joined" in parts
    if parts and parts[1] == ResourceKind.URL:
        return Resource(url=item.url, kind=ResourceKind.URL, line=0, joined=joined)
    if parts and parts[1] == ResourceKind.IMAGE:
        text = "" if "empty" in parts else item.title
        return Resource(url=item.url, kind=ResourceKind.IMAGE, line=0, text=text, joined=joined)
    if parts:
        text = "" if "empty" in parts else item.title
        return Resource(url=item.url, kind=ResourceKind.LINK, line=0, text=text, joined=joined)
    if item.title == item.url:
        return Resource(url=item.url, kind=ResourceKind.URL, line=0)
    return Resource(url=item.url, kind=ResourceKind.LINK, line=0, text=item.title)


def plan_markdown_document(*, user: User) -> PlanDocument:
    """The learner's tracks and plan as a `PlanDocument` (see the module docstring). Five queries."""
    tracks = _ordered_tracks(user)
    builder = _Builder(user, tracks)
    preamble: list[Note] = []
    parsed: list[ParsedTrack] = []
    for track in tracks:
        notes = decode_track_notes(track.notes)
        preamble.extend(notes.preamble)
        parsed.append(builder.track(track, notes))
    return PlanDocument(preamble_notes=tuple(preamble), tracks=tuple(parsed))


def plan_markdown_export(*, user: User) -> str:
    """The learner's tracks and plan as markdown text, ready to download or import again."""
    return render_plan(plan_markdown_document(user=user))
