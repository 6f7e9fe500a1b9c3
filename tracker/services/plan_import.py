"""Importing a learner's markdown study plan (seed 004's format) into their own tracks.

`plan_markdown_import` reads the file completely first (decode, parse, check lengths, flatten to rows:
tracker/plan_markdown/flatten.py): a bad file raises `PlanImportError` naming the line, before the database
is touched. Then one transaction maps the document:

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
from tracker.plan_markdown import MAX_PLAN_BYTES
from tracker.plan_markdown import Item as PlanItem
from tracker.plan_markdown.flatten import Row, RowKind, TrackPlan, flatten_plan
from tracker.services.planning import plan_rebuild
from tracker.timezones import local_today

SLUG_MAX = 70  # Track.slug holds 80; room for a "-123" suffix
DONE_HOUR = dt.time(20, 0)
DUE_TIME = dt.time(23, 59)
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
    flat = flatten_plan(data, max_bytes=max_bytes)
    report = PlanImportReport(notes=flat.notes, warnings=flat.warnings)
    with transaction.atomic():
        _Importer(user=user, today=today, report=report).run(flat.tracks)
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

    def run(self, plans: list[TrackPlan]) -> None:
        tracks = self._tracks(plans)
        items = self._items(plans, tracks)
        self._progress(plans, items)
        self._plan_entries(plans, items)
        self._deadlines(plans, tracks)
        self._enrollments(plans, tracks)

    # Tracks: match the k-th heading of a title with the learner's k-th own track of that title.
    def _tracks(self, plans: list[TrackPlan]) -> dict[int, Track]:
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

    def _items(self, plans: list[TrackPlan], tracks: dict[int, Track]) -> dict[tuple[int, str], Item]:
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
        by_depth: dict[int, list[tuple[int, Row, int]]] = defaultdict(list)
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
        self.report.resources = sum(1 for plan in plans for row in plan.rows if row.kind == RowKind.RESOURCE)
        self.item_minutes = {item.pk: item.estimated_minutes for item in result.values()}
        return result

    def _done_at(self, row: Row) -> dt.datetime:
        day = row.last_day
        return self.now if day is None else _local(day, DONE_HOUR, self.zone)

    def _progress(self, plans: list[TrackPlan], items: dict[tuple[int, str], Item]) -> None:
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

    def _plan_entries(self, plans: list[TrackPlan], items: dict[tuple[int, str], Item]) -> None:
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

    def _deadlines(self, plans: list[TrackPlan], tracks: dict[int, Track]) -> None:
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

    def _enrollments(self, plans: list[TrackPlan], tracks: dict[int, Track]) -> None:
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
