"""Re-planning: turns the learner's enrolments, remaining items and due reviews into plan entries.

One call, one transaction. Days before today are history and keep what was planned and what became
of it; entries still `planned` there become `missed`, and their items, not being done, are planned
again from today on, first in their track's order, so nothing is lost. From today on, the new plan is
diffed against the stored entries and only what changed is written, so the nightly re-plan of a learner
who kept to the plan writes a day's worth of rows, and a re-plan that changes nothing writes none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracker.bulk_sql import update_from_values
from tracker.models import Enrollment, PlanEntry, Progress, ReviewCard, StudyProfile, User, Vacation
from tracker.planning.scheduler import (
    Pace,
    PlanDay,
    PracticeDue,
    ReviewDue,
    StudyProfileInput,
    TrackForecast,
    TrackInput,
    build_plan,
)
from tracker.selectors.plans import track_plan_items
from tracker.selectors.practice import practice_due
from tracker.services.learner_state import learner_state_bump
from tracker.timezones import local_today

DEFAULT_HORIZON_DAYS = 90


def review_minutes(item_minutes: int) -> int:
    """A review takes about a quarter of the first study, at least five minutes."""
    return max(5, round(item_minutes / 4))


@dataclass(frozen=True)
class PlanRebuild:
    today: dt.date
    entries_created: int
    missed_marked: int
    forecasts: tuple[TrackForecast, ...]
    entries_updated: int = 0
    entries_deleted: int = 0

    @property
    def late_tracks(self) -> tuple[TrackForecast, ...]:
        """Tracks that cannot reach their target date at their pace."""
        return tuple(f for f in self.forecasts if f.will_miss_target)


def _profile_input(profile: StudyProfile, vacations: list[Vacation]) -> StudyProfileInput:
    return StudyProfileInput(
        parallel_limit=profile.parallel_limit,
        daily_minutes=profile.daily_minutes,
        rest_weekdays=frozenset(profile.rest_weekdays),
        vacations=tuple((v.start_date, v.end_date) for v in vacations),
    )


def _track_inputs(user: User, enrollments: list[Enrollment], today: dt.date) -> list[TrackInput]:
    track_ids = [e.track_id for e in enrollments]
    closed = set(
        Progress.objects.filter(
            user=user, item__track_id__in=track_ids, status__in=Progress.CLOSED_STATUSES
        ).values_list("item_id", flat=True)
    )
    # Items the learner pinned to a date of their own are not the planner's to move.
    pinned = set(
        PlanEntry.objects.filter(
            user=user, origin=PlanEntry.Origin.PINNED, status=PlanEntry.Status.PLANNED, date__gte=today
        ).values_list("item_id", flat=True)
    )
    excluded = closed | pinned
    leaves = track_plan_items(track_ids=track_ids)
    remaining = {
        track_id: items if not excluded else tuple(item for item in items if item.item_id not in excluded)
        for track_id, items in leaves.items()
    }
    return [
        TrackInput(
            enrollment_id=e.pk,
            track_id=e.track_id,
            priority=e.priority,
            pace=Pace(unit=e.pace_unit, per_day=e.pace_per_day),  # type: ignore[arg-type]
            start_date=e.start_date,
            target_date=e.target_date,
            items=remaining[e.track_id],
        )
        for e in enrollments
    ]


def _review_inputs(user: User, zone: ZoneInfo, until: dt.datetime) -> list[ReviewDue]:
    cards = ReviewCard.objects.filter(user=user, due__lt=until).values_list(
        "item_id", "item__track_id", "due", "item__estimated_minutes"
    )
    return [
        ReviewDue(item_id=item_id, track_id=track_id, due=due.astimezone(zone).date(), minutes=review_minutes(minutes))
        for item_id, track_id, due, minutes in cards
    ]


def replan_due_at(*, time_zone: str, plan_day: dt.date) -> dt.datetime:
    """The instant, in UTC, at which the local date in `time_zone` moves past `plan_day`: its next midnight.

    A midnight that daylight saving skips (clocks jumping from 00:00 to 01:00) is read with the offset
    before the change, which is the instant the new day begins; one that happens twice is the first.
    """
    midnight = dt.datetime.combine(plan_day + dt.timedelta(days=1), dt.time.min, tzinfo=ZoneInfo(time_zone))
    return midnight.astimezone(dt.UTC)


@dataclass
class _PlanDiff:
    """What to write to make the stored entries from today on match the new plan."""

    create: list[PlanEntry]
    update: list[tuple[int, dt.date, int | None, int, int]]  # pk, date, enrollment, minutes, position
    delete: list[int]


def _plan_diff(user: User, days: Iterable[PlanDay], stored: list[tuple[Any, ...]]) -> _PlanDiff:
    """Matches the new plan against the stored entries from today on (`stored`: pk, item, date, kind,
    status, origin, enrollment, minutes, position).

    Only the planner's entries still `planned` are the planner's to change; the others (done or skipped
    today, pinned by the learner) keep their place, and the plan places nothing where they are. A planned
    entry is matched by its item and kind, so an item moved to another day is one update, not a delete
    and an insert; what matches nothing is deleted, what nothing matched is created.
    """
    taken: set[tuple[int, dt.date, str]] = set()
    movable: dict[tuple[int, str], tuple[Any, ...]] = {}
    delete: list[int] = []
    for row in stored:
        pk, item_id, date, kind, status, origin = row[:6]
        if origin != PlanEntry.Origin.PLANNER or status != PlanEntry.Status.PLANNED:
            taken.add((item_id, date, kind))
        elif (item_id, kind) in movable:  # a duplicate (the planner makes none): one is enough
            delete.append(pk)
        else:
            movable[(item_id, kind)] = row
    create: list[PlanEntry] = []
    update: list[tuple[int, dt.date, int | None, int, int]] = []
    for day in days:
        for position, entry in enumerate(day.entries):
            if (entry.item_id, day.date, entry.kind) in taken:
                continue
            key = (entry.item_id, entry.kind)
            found = movable.pop(key) if key in movable else None
            wanted = (day.date, entry.enrollment_id, entry.minutes, position)
            if found is None:
                create.append(
                    PlanEntry(
                        user=user,
                        item_id=entry.item_id,
                        enrollment_id=entry.enrollment_id,
                        date=day.date,
                        kind=entry.kind,
                        minutes=entry.minutes,
                        position=position,
                    )
                )
            elif (found[2], *found[6:]) != wanted:
                update.append((found[0], *wanted))
    delete += [row[0] for row in movable.values()]
    return _PlanDiff(create=create, update=update, delete=delete)


def _entries_update(rows: list[tuple[int, dt.date, int | None, int, int]]) -> None:
    """Sets date, enrollment, minutes and position of the entries `rows` (pk first), in one statement."""
    now = timezone.now()
    update_from_values(
        PlanEntry, ["date", "enrollment", "minutes", "position", "updated_at"], [(*row, now) for row in rows]
    )


def _plan_write(*, user: User, profile: StudyProfile, today: dt.date, horizon_days: int) -> PlanRebuild:
    """Re-plans from `today` with the profile row locked by the caller's transaction.

    Writes only what changed: the entries missed since the last plan (one update), then the diff of the
    new plan against the stored one (one delete, one bulk update, one bulk insert, each only when there
    is something to write), the forecasts that moved and the profile's plan day. Re-planning a plan
    that is still right writes nothing.
    """
    zone = ZoneInfo(profile.time_zone)
    # From today on, and before today what is still planned (missed since): one read for both.
    stored = list(
        PlanEntry.objects.filter(user=user)
        .filter(Q(date__gte=today) | Q(date__lt=today, status=PlanEntry.Status.PLANNED))
        .values_list("pk", "item_id", "date", "kind", "status", "origin", "enrollment_id", "minutes", "position")
    )
    missed = 0
    if any(row[2] < today for row in stored):
        missed = PlanEntry.objects.filter(user=user, date__lt=today, status=PlanEntry.Status.PLANNED).update(
            status=PlanEntry.Status.MISSED
        )

    enrollments = list(Enrollment.objects.filter(user=user, status=Enrollment.Status.ACTIVE))
    horizon_end = today + dt.timedelta(days=horizon_days)
    until = dt.datetime.combine(horizon_end, dt.time.min, tzinfo=zone)
    plan = build_plan(
        tracks=_track_inputs(user, enrollments, today),
        reviews=_review_inputs(user, zone, until),
        # Re-solves due (and any other practice source) shrink the budget of the day they are due.
        practice=[PracticeDue(p.due.astimezone(zone).date(), p.minutes) for p in practice_due(user=user, until=until)],
        profile=_profile_input(profile, list(Vacation.objects.filter(user=user, end_date__gte=today))),
        today=today,
        horizon_days=horizon_days,
    )

    diff = _plan_diff(user, plan.days, [row for row in stored if row[2] >= today])
    # Deleted first: an entry moved onto a day never meets one that is going away.
    if diff.delete:
        PlanEntry.objects.filter(pk__in=diff.delete).delete()
    if diff.update:
        _entries_update(diff.update)
    if diff.create:
        PlanEntry.objects.bulk_create(diff.create)

    finish_by_enrollment = {f.enrollment_id: f.finish_date for f in plan.forecasts}
    changed = []
    for enrollment in enrollments:
        finish = finish_by_enrollment.get(enrollment.pk)
        if enrollment.projected_finish_date != finish:
            enrollment.projected_finish_date = finish
            changed.append(enrollment)
    Enrollment.objects.bulk_update(changed, ["projected_finish_date"])
    due = replan_due_at(time_zone=profile.time_zone, plan_day=today)
    new_day = profile.plan_built_on != today
    if new_day or profile.replan_due_at != due:
        profile.plan_built_on, profile.replan_due_at = today, due
        profile.save(update_fields=["plan_built_on", "replan_due_at"])
    if new_day or missed or changed or diff.create or diff.update or diff.delete:
        # Today and the plan pages show what changed; a re-plan that changed nothing keeps their caches.
        learner_state_bump(user_id=user.pk)
    return PlanRebuild(
        today=today,
        entries_created=len(diff.create),
        missed_marked=missed,
        forecasts=plan.forecasts,
        entries_updated=len(diff.update),
        entries_deleted=len(diff.delete),
    )


@transaction.atomic
def plan_rebuild(*, user: User, today: dt.date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS) -> PlanRebuild:
    """Re-plans from `today` (the learner's local date by default) for `horizon_days` days."""
    # Locking the profile row serialises two re-plans of one learner (two tabs, a retried request).
    profile = StudyProfile.objects.select_for_update().get_or_create(user=user)[0]
    today = today or local_today(profile.time_zone, timezone.now())
    return _plan_write(user=user, profile=profile, today=today, horizon_days=horizon_days)


def plan_ensure_current(*, user: User, now: dt.datetime | None = None) -> PlanRebuild | None:
    """Re-plans when the learner's day has turned since the last plan (missed work rolls forward).

    Once per learner and local date, whoever comes first: the nightly job (tracker/services/replanning.py),
    the learner's request, the daily e-mail. The day is checked again with the profile row locked, so of
    two callers at once the second waits for the first and then finds the day planned. One query when the
    plan is current.
    """
    now = now or timezone.now()
    profile = StudyProfile.objects.get_or_create(user=user)[0]
    if profile.plan_built_on == local_today(profile.time_zone, now):
        return None
    return _plan_day(user=user, now=now)


def plans_ensure_current(*, profiles: Iterable[StudyProfile], now: dt.datetime | None = None) -> int:
    """`plan_ensure_current` for loaded profiles (with `user`), each in its own transaction; no query for
    those whose plan is current. Returns how many it re-planned."""
    now = now or timezone.now()
    stale = [p for p in profiles if p.plan_built_on != local_today(p.time_zone, now)]
    return sum(_plan_day(user=p.user, now=now) is not None for p in stale)


@transaction.atomic
def _plan_day(*, user: User, now: dt.datetime) -> PlanRebuild | None:
    profile = StudyProfile.objects.select_for_update().get_or_create(user=user)[0]
    today = local_today(profile.time_zone, now)
    if profile.plan_built_on != today:
        return _plan_write(user=user, profile=profile, today=today, horizon_days=DEFAULT_HORIZON_DAYS)
    # Planned by someone else meanwhile. The job's lease may still stand in replan_due_at: put it right.
    due = replan_due_at(time_zone=profile.time_zone, plan_day=today)
    if profile.replan_due_at != due:
        StudyProfile.objects.filter(pk=profile.pk).update(replan_due_at=due)
    return None
