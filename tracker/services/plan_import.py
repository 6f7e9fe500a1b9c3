"""Importing a learner's markdown study plan (seed 004's format) into their own tracks.

`plan_markdown_import` reads the file completely first (decode, parse, check lengths): a bad file raises
`PlanImportError` naming the line, before the database is touched. Then one transaction maps the document:

- Each `#`/`##` heading becomes a Track owned by the learner: kind "reading_list" when it holds links and
  no checkbox items, else "project"; slug from the title (ASCII), "plan-<n>" for the n-th heading when the
  title has no ASCII letters, made unique among the learner's tracks with -2, -3...
- A `**bold**` / `###` section becomes an Item of kind "section" (depth 0, 0 minutes) with the section's
  items and links as children; items before the first section are top-level. Checkbox items are "topic",
  deadlines and date-only days "milestone"; a link on its own line is a "resource" with its url (how it was
  written, `[text](url)`, `![alt](url)` or bare, is kept in `external_id` as "md:<form>[:empty][:joined]").
  Keys are positions: section n is "s<n>", its k-th item or link "s<n>.<k>", nested items "s<n>.<k>.<j>";
  the part before the first section is "s0" (no row of its own). `position` is depth-first file order.
- `[x]` makes a done Progress, done at 20:00 learner-local on the item's date (the last day of a range),
  or at the import time for an undated item. `[ ]` needs no row.
- A dated item gets a pinned PlanEntry (date, end_date for ranges) of kind "new": done for `[x]`, planned
  when its last day is today or later, else missed. A deadline item also gets a Deadline due 23:59
  learner-local on its (last) day: conference / exam / course / personal by its words.
- Each track gets an Enrollment after the learner's existing ones, in file order: finished when every
  checkbox leaf is done, else active; starting on the track's earliest date (or today); 60 minutes a day.
- Lines that are neither are kept in `Track.notes` with their place (format in
  `tracker.plan_markdown.track_notes`), and listed in the report with their line numbers.

Importing the same plan again updates instead of duplicating. The k-th heading with a given title matches
the learner's k-th own track of that title (oldest first). Within it, items are matched by key: a matched
item takes the file's title, kind, url, parent and position; new keys are added; items missing from the
file are kept (after the file's items) and never deleted. Done states and pinned dates follow the file: an
item unticked in the file goes back to todo, an item whose date was removed loses its pinned plan entry.
Deadlines are matched by track and title and take the file's due time. The track's notes are replaced by
the file's; its kind, slug, enrollment priority and pace are left as the learner set them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.text import slugify

from tracker.models import Deadline, Enrollment, Item, PlanEntry, Progress, StudyProfile, Track, User
from tracker.plan_markdown import (
    MAX_PLAN_BYTES,
    Note,
    ParsedTrack,
    PlanDocument,
    PlanImportError,
    Resource,
    ResourceKind,
    decode_plan_bytes,
    format_date,
    parse_plan,
    unclassified_lines,
)
from tracker.plan_markdown import Item as PlanItem
from tracker.plan_markdown.track_notes import HEADING_ANCHOR, NoteRun, encode_track_notes
from tracker.services.planning import plan_rebuild
from tracker.timezones import local_today

TITLE_MAX = 300  # Track.title, Item.title, Deadline.title
URL_MAX = 500  # Item.url
SLUG_MAX = 70  # Track.slug holds 80; room for a "-123" suffix
DONE_HOUR = dt.time(20, 0)
DUE_TIME = dt.time(23, 59)
ITEM_MINUTES = 30
ENROLLMENT_PACE_MINUTES = 60
POSITION_IN_DAY_MAX = 32767  # PlanEntry.position is a small integer
INSERT_BATCH = 2000
# bulk_update writes one CASE WHEN per field and row; the database scans it for every row, so a batch costs
# its size squared. Small batches keep a large re-import linear.
UPDATE_BATCH = 200

# Deadline kinds by the words of the title, first match wins. Conference names count as submissions.
_CONFERENCE_WORDS = (
    "投稿",
    "submission",
    "submit",
    "aaai",
    "acl",
    "cvpr",
    "eccv",
    "iccv",
    "icml",
    "iclr",
    "icra",
    "ijcai",
    "iros",
    "neurips",
    "nips",
    "siggraph",
)
_EXAM_WORDS = ("考试", "笔试", "机试", "期中", "期末", "exam", "midterm")
_COURSE_WORDS = ("开课", "结课")


@dataclass
class PlanImportReport:
    """What an import created and updated, and each line it kept as a note (line number, text)."""

    tracks_created: int = 0
    tracks_updated: int = 0
    items_created: int = 0
    items_updated: int = 0
    progress_done: int = 0
    plan_entries: int = 0
    deadlines_created: int = 0
    resources: int = 0
    notes: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """The counts as short English lines, for the command and the page."""
        return [
            f"tracks: {self.tracks_created} created, {self.tracks_updated} updated",
            f"items: {self.items_created} created, {self.items_updated} updated ({self.resources} links)",
            f"done items: {self.progress_done}",
            f"plan entries: {self.plan_entries}",
            f"deadlines created: {self.deadlines_created}",
            f"lines kept as notes: {len(self.notes)}",
        ]


def deadline_kind_for(title: str) -> str:
    """The Deadline kind a deadline item's title suggests (see the word lists above)."""
    lowered = title.lower()
    for words, kind in (
        (_CONFERENCE_WORDS, Deadline.Kind.CONFERENCE),
        (_EXAM_WORDS, Deadline.Kind.EXAM),
        (_COURSE_WORDS, Deadline.Kind.COURSE),
    ):
        if any(word in lowered for word in words):
            return kind
    return Deadline.Kind.PERSONAL


# --- The document, flattened to rows (no database) -------------------------------------------------


@dataclass
class _Row:
    key: str
    parent_key: str | None
    depth: int
    kind: str
    title: str
    title_en: str
    url: str = ""
    external_id: str = ""
    minutes: int = ITEM_MINUTES
    checkbox: PlanItem | None = None  # the checkbox item, for its state and dates

    @property
    def last_day(self) -> dt.date | None:
        if self.checkbox is None:
            return None
        return self.checkbox.end or self.checkbox.start


@dataclass
class _TrackPlan:
    parsed: ParsedTrack
    index: int  # 1-based, in file order
    rows: list[_Row]
    notes: str
    kind: str

    @property
    def checkboxes(self) -> list[tuple[_Row, PlanItem]]:
        return [(row, row.checkbox) for row in self.rows if row.checkbox is not None]

    def dates(self) -> list[dt.date]:
        return [day for _, item in self.checkboxes for day in (item.start, item.end) if day is not None]

    def all_leaves_done(self) -> bool:
        leaves = [item for _, item in self.checkboxes if not item.children]
        return bool(leaves) and all(leaf.done for leaf in leaves)


def _check_title(title: str, line: int | None, what: str) -> None:
    if len(title) > TITLE_MAX:
        raise PlanImportError(
            f"Line {line}: the {what} is {len(title)} characters long; Brainqueue keeps titles of up to "
            f"{TITLE_MAX}. Shorten it (or move the detail to a line of its own) and import the plan again.",
            line=line,
        )


def _resource_note_text(resource: Resource) -> str:
    if resource.kind is ResourceKind.URL:
        return resource.url
    bang = "!" if resource.kind is ResourceKind.IMAGE else ""
    return f"{bang}[{resource.text or ''}]({resource.url})"


class _Flattener:
    def __init__(self, report: PlanImportReport) -> None:
        self.report = report
        self.extra_notes: list[tuple[int, str]] = []

    def track(self, parsed: ParsedTrack, index: int, preamble: tuple[Note, ...]) -> _TrackPlan:
        _check_title(parsed.title, parsed.line, "heading")
        rows: list[_Row] = []
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
                    _Row(
                        key=prefix,
                        parent_key=None,
                        depth=0,
                        kind=Item.Kind.SECTION,
                        title=title,
                        title_en=title,
                        minutes=0,
                    )
                )
            number = 0
            for block in section.blocks:
                if isinstance(block, Resource) and (len(block.url) > URL_MAX or len(block.text or "") > TITLE_MAX):
                    text = _resource_note_text(block)
                    self.report.warnings.append(
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
        has_links = any(row.kind == Item.Kind.RESOURCE for row in rows)
        kind = Track.Kind.READING_LIST if has_links and not has_items else Track.Kind.PROJECT
        notes = encode_track_notes(level=parsed.level, runs=runs)
        return _TrackPlan(parsed=parsed, index=index, rows=rows, notes=notes, kind=kind)

    def _resource_row(self, resource: Resource, key: str, parent_key: str | None, depth: int) -> _Row:
        form = f"md:{resource.kind.value}"
        if resource.kind is not ResourceKind.URL and not resource.text:
            form += ":empty"
        if resource.joined:
            form += ":joined"
        title = resource.text or resource.url
        return _Row(
            key=key,
            parent_key=parent_key,
            depth=depth,
            kind=Item.Kind.RESOURCE,
            title=title,
            title_en=title,
            url=resource.url,
            external_id=form,
        )

    def _item_rows(self, item: PlanItem, key: str, parent_key: str | None, depth: int, rows: list[_Row]) -> None:
        _check_title(item.title, item.line, "item")
        milestone = item.is_deadline or item.is_empty_day
        title_en = item.title or (format_date(item.start) if item.start else "")
        kind = Item.Kind.MILESTONE if milestone else Item.Kind.TOPIC
        rows.append(
            _Row(
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


# --- Slugs and matching ------------------------------------------------------------------------------


def _slug_base(title: str, index: int) -> str:
    slug = slugify(title, allow_unicode=False).replace("_", "-")
    slug = "-".join(part for part in slug.split("-") if part)[:SLUG_MAX].strip("-")
    return slug or f"plan-{index}"


def _unique_slug(base: str, taken: set[str]) -> str:
    slug, suffix = base, 1
    while slug in taken:
        suffix += 1
        slug = f"{base}-{suffix}"
    taken.add(slug)
    return slug


def _local(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=zone)


def _assign(row: Model, values: dict[str, object], now: dt.datetime) -> bool:
    """Sets the values that differ and stamps `updated_at`; False when the row already had them all,
    so a re-import of an unchanged plan writes nothing."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        row.updated_at = now  # type: ignore[attr-defined]
    return changed


# --- The service -------------------------------------------------------------------------------------


def plan_import_today(*, user: User, now: dt.datetime) -> dt.date:
    """The learner's local date at `now`, the `today` an import takes; reads the profile, writes nothing."""
    zone = StudyProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return local_today(zone or "UTC", now)


def plan_markdown_import(
    *, user: User, data: bytes, today: dt.date, max_bytes: int = MAX_PLAN_BYTES
) -> PlanImportReport:
    """Imports a markdown plan file into the learner's own tracks; all or nothing.

    `today` is the learner's local date: dated items before it that are not done become missed plan
    entries. Raises `PlanImportError` (with the line, where there is one) for a file that cannot be
    imported; nothing is saved then. See the module docstring for the mapping and for re-imports.
    `max_bytes` is the size limit (2 MB); only benchmarks and operators' scripts raise it.
    """
    report = PlanImportReport()
    doc = _read(data, max_bytes)
    flattener = _Flattener(report)
    plans = [
        flattener.track(parsed, index, doc.preamble_notes if index == 1 else ())
        for index, parsed in enumerate(doc.tracks, start=1)
    ]
    report.notes = sorted(unclassified_lines(doc) + flattener.extra_notes)
    with transaction.atomic():
        _Importer(user=user, today=today, report=report).run(plans)
        # The imported tracks' remaining items join the plan from today, in the same transaction.
        plan_rebuild(user=user, today=today)
    return report


class _Importer:
    def __init__(self, *, user: User, today: dt.date, report: PlanImportReport) -> None:
        self.user = user
        self.today = today
        self.report = report
        profile = StudyProfile.objects.filter(user=user).only("time_zone").first()
        self.zone = ZoneInfo(profile.time_zone if profile else "UTC")
        self.now = timezone.now()

    def run(self, plans: list[_TrackPlan]) -> None:
        tracks = self._tracks(plans)
        items = self._items(plans, tracks)
        self._progress(plans, items)
        self._plan_entries(plans, items)
        self._deadlines(plans, tracks)
        self._enrollments(plans, tracks)

    # Tracks: match the k-th heading of a title with the learner's k-th own track of that title.
    def _tracks(self, plans: list[_TrackPlan]) -> dict[int, Track]:
        own = list(Track.objects.filter(owner=self.user).order_by("id"))
        by_title: dict[str, list[Track]] = defaultdict(list)
        for track in own:
            by_title[track.title].append(track)
        taken = {track.slug for track in own}
        result: dict[int, Track] = {}
        new: list[Track] = []
        updated: list[Track] = []
        changed: list[Track] = []
        for plan in plans:
            title = plan.parsed.title
            if by_title[title]:
                track = by_title[title].pop(0)
                updated.append(track)
                if _assign(track, {"title_en": track.title_en or title, "notes": plan.notes}, self.now):
                    changed.append(track)
            else:
                track = Track(
                    owner=self.user,
                    slug=_unique_slug(_slug_base(title, plan.index), taken),
                    kind=plan.kind,
                    title=title,
                    title_en=title,
                    notes=plan.notes,
                )
                new.append(track)
            result[plan.index] = track
        Track.objects.bulk_create(new)
        Track.objects.bulk_update(changed, ["title_en", "notes", "updated_at"], batch_size=UPDATE_BATCH)
        self.new_tracks = {id(track) for track in new}
        self.report.tracks_created = len(new)
        self.report.tracks_updated = len(updated)
        return result

    def _items(self, plans: list[_TrackPlan], tracks: dict[int, Track]) -> dict[tuple[int, str], Item]:
        """Creates and updates the items, parents before children; returns them by (track index, key)."""
        old_track_ids = [track.pk for track in tracks.values() if id(track) not in self.new_tracks]
        existing: dict[tuple[int, str], Item] = {}
        leftovers: dict[int, list[Item]] = defaultdict(list)
        file_keys = {(tracks[plan.index].pk, row.key) for plan in plans for row in plan.rows}
        for item in Item.objects.filter(track_id__in=old_track_ids).order_by("position", "id"):
            if (item.track_id, item.key) in file_keys:
                existing[(item.track_id, item.key)] = item
            else:
                leftovers[item.track_id].append(item)
        result: dict[tuple[int, str], Item] = {}
        by_depth: dict[int, list[tuple[int, _Row, int]]] = defaultdict(list)
        for plan in plans:
            for position, row in enumerate(plan.rows):
                by_depth[row.depth].append((plan.index, row, position))
        to_update: list[Item] = []
        matched = 0
        for depth in sorted(by_depth):
            to_create: list[Item] = []
            for index, row, position in by_depth[depth]:
                track = tracks[index]
                parent = result[(index, row.parent_key)] if row.parent_key is not None else None
                values: dict[str, object] = {
                    "parent_id": parent.pk if parent is not None else None,
                    "depth": depth,
                    "position": position,
                    "kind": row.kind,
                    "title": row.title,
                    "title_en": row.title_en,
                    "url": row.url,
                    "external_id": row.external_id,
                }
                found = existing.get((track.pk, row.key))
                if found is None:
                    item = Item(track=track, key=row.key, estimated_minutes=row.minutes, **values)
                    to_create.append(item)
                else:
                    item = found
                    matched += 1
                    if _assign(item, values, self.now):
                        to_update.append(item)
                result[(index, row.key)] = item
            Item.objects.bulk_create(to_create, batch_size=INSERT_BATCH)
            self.report.items_created += len(to_create)
        # Items the file no longer has stay, after the file's items, in their old order.
        for plan in plans:
            track = tracks[plan.index]
            for offset, item in enumerate(leftovers.get(track.pk, [])):
                if _assign(item, {"position": len(plan.rows) + offset}, self.now):
                    to_update.append(item)
        fields = ["parent", "depth", "position", "kind", "title", "title_en", "url", "external_id", "updated_at"]
        Item.objects.bulk_update(to_update, fields, batch_size=UPDATE_BATCH)
        self.report.items_updated = matched
        self.report.resources = sum(1 for plan in plans for row in plan.rows if row.kind == Item.Kind.RESOURCE)
        self.item_minutes = {item.pk: item.estimated_minutes for item in result.values()}
        return result

    def _done_at(self, row: _Row) -> dt.datetime:
        day = row.last_day
        return self.now if day is None else _local(day, DONE_HOUR, self.zone)

    def _progress(self, plans: list[_TrackPlan], items: dict[tuple[int, str], Item]) -> None:
        rows = [(items[(plan.index, row.key)], row, box) for plan in plans for row, box in plan.checkboxes]
        existing = {
            progress.item_id: progress
            for progress in Progress.objects.filter(user=self.user, item__in=[item.pk for item, _, _ in rows])
        }
        to_create: list[Progress] = []
        to_update: list[Progress] = []
        for item, row, box in rows:
            progress = existing.get(item.pk)
            if box.done:
                self.report.progress_done += 1
                if progress is None:
                    to_create.append(
                        Progress(user=self.user, item=item, status=Progress.Status.DONE, done_at=self._done_at(row))
                    )
                elif not progress.is_completed or row.last_day is not None:
                    # Done stays done (or in review); a dated item's done time follows the file.
                    done_at = self._done_at(row)
                    values: dict[str, object] = {
                        "status": progress.status if progress.is_completed else Progress.Status.DONE,
                        "done_at": done_at,
                    }
                    if progress.started_at is not None and progress.started_at > done_at:
                        values["started_at"] = done_at
                    if _assign(progress, values, self.now):
                        to_update.append(progress)
            elif progress is not None and progress.is_completed:
                _assign(progress, {"status": Progress.Status.TODO, "done_at": None}, self.now)
                to_update.append(progress)
        Progress.objects.bulk_create(to_create, batch_size=INSERT_BATCH)
        fields = ["status", "done_at", "started_at", "updated_at"]
        Progress.objects.bulk_update(to_update, fields, batch_size=UPDATE_BATCH)

    def _entry_status(self, box: PlanItem, last_day: dt.date) -> str:
        if box.done:
            return PlanEntry.Status.DONE
        return PlanEntry.Status.PLANNED if last_day >= self.today else PlanEntry.Status.MISSED

    def _plan_entries(self, plans: list[_TrackPlan], items: dict[tuple[int, str], Item]) -> None:
        rows = [(items[(plan.index, row.key)], box) for plan in plans for row, box in plan.checkboxes]
        by_item: dict[int, list[PlanEntry]] = defaultdict(list)
        for entry in PlanEntry.objects.filter(
            user=self.user, kind=PlanEntry.Kind.NEW, item__in=[item.pk for item, _ in rows]
        ):
            by_item[entry.item_id].append(entry)
        per_day: dict[dt.date, int] = defaultdict(int)
        to_create: list[PlanEntry] = []
        to_update: list[PlanEntry] = []
        to_delete: list[int] = []
        for item, box in rows:
            start = box.start
            entries = by_item.get(item.pk, [])
            # The file's date replaces the learner's pinned dates; the planner's entries on other days stay.
            to_delete.extend(e.pk for e in entries if e.origin == PlanEntry.Origin.PINNED and e.date != start)
            if start is None:
                continue
            self.report.plan_entries += 1
            values: dict[str, object] = {
                "end_date": box.end,
                "status": self._entry_status(box, box.end or start),
                "origin": PlanEntry.Origin.PINNED,
                "minutes": self.item_minutes[item.pk],
                "position": min(per_day[start], POSITION_IN_DAY_MAX),
            }
            per_day[start] += 1
            same_day = next((e for e in entries if e.date == start), None)
            if same_day is None:
                to_create.append(PlanEntry(user=self.user, item=item, date=start, kind=PlanEntry.Kind.NEW, **values))
            elif _assign(same_day, values, self.now):
                to_update.append(same_day)
        if to_delete:
            PlanEntry.objects.filter(pk__in=to_delete).delete()
        PlanEntry.objects.bulk_create(to_create, batch_size=INSERT_BATCH)
        fields = ["end_date", "status", "origin", "minutes", "position", "updated_at"]
        PlanEntry.objects.bulk_update(to_update, fields, batch_size=UPDATE_BATCH)

    def _deadlines(self, plans: list[_TrackPlan], tracks: dict[int, Track]) -> None:
        existing: dict[tuple[int, str], list[Deadline]] = defaultdict(list)
        for deadline in Deadline.objects.filter(owner=self.user, track__in=[t.pk for t in tracks.values()]).order_by(
            "id"
        ):
            existing[(deadline.track_id, deadline.title)].append(deadline)  # type: ignore[index]
        to_create: list[Deadline] = []
        to_update: list[Deadline] = []
        for plan in plans:
            track = tracks[plan.index]
            for row, box in plan.checkboxes:
                if not box.is_deadline or box.start is None:
                    continue
                due_at = _local(box.end or box.start, DUE_TIME, self.zone)
                matches = existing.get((track.pk, row.title))
                if matches:
                    deadline = matches.pop(0)
                    if _assign(deadline, {"due_at": due_at, "time_zone": str(self.zone)}, self.now):
                        to_update.append(deadline)
                    continue
                to_create.append(
                    Deadline(
                        owner=self.user,
                        title=row.title,
                        title_en=row.title,
                        kind=deadline_kind_for(row.title),
                        due_at=due_at,
                        time_zone=str(self.zone),
                        track=track,
                    )
                )
        Deadline.objects.bulk_create(to_create, batch_size=INSERT_BATCH)
        Deadline.objects.bulk_update(to_update, ["due_at", "time_zone", "updated_at"], batch_size=UPDATE_BATCH)
        self.report.deadlines_created = len(to_create)

    def _enrollments(self, plans: list[_TrackPlan], tracks: dict[int, Track]) -> None:
        enrollments = Enrollment.objects.filter(user=self.user)
        existing = {e.track_id: e for e in enrollments.filter(track__in=[t.pk for t in tracks.values()])}
        priority = enrollments.aggregate(m=Max("priority"))["m"] or 0
        to_create: list[Enrollment] = []
        to_update: list[Enrollment] = []
        for plan in plans:
            track = tracks[plan.index]
            status = Enrollment.Status.FINISHED if plan.all_leaves_done() else Enrollment.Status.ACTIVE
            enrollment = existing.get(track.pk)
            if enrollment is None:
                priority += 1
                start = min(plan.dates(), default=self.today)
                to_create.append(
                    Enrollment(
                        user=self.user,
                        track=track,
                        priority=min(priority, 32767),
                        status=status,
                        pace_unit=Enrollment.PaceUnit.MINUTES,
                        pace_per_day=ENROLLMENT_PACE_MINUTES,
                        start_date=start,
                    )
                )
            # Paused and dropped are the learner's decisions; the file only says finished or not.
            elif enrollment.status in {Enrollment.Status.ACTIVE, Enrollment.Status.FINISHED} and _assign(
                enrollment, {"status": status}, self.now
            ):
                to_update.append(enrollment)
        Enrollment.objects.bulk_create(to_create, batch_size=INSERT_BATCH)
        Enrollment.objects.bulk_update(to_update, ["status", "updated_at"], batch_size=UPDATE_BATCH)
