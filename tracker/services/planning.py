"""Re-planning: turns the learner's enrolments, remaining items and due reviews into plan entries.

One call, one transaction. Days before today are history and keep what was planned and what became
of it; entries still `planned` there become `missed`, and their items, not being done, are planned
again from today on, first in their track's order, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tracker.models import Enrollment, Item, PlanEntry, Progress, ReviewCard, StudyProfile, User, Vacation
from tracker.planning.scheduler import (
    Pace,
    PlanItem,
    ReviewDue,
    StudyProfileInput,
    TrackForecast,
    TrackInput,
    build_plan,
)
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
    remaining: dict[int, list[PlanItem]] = {track_id: [] for track_id in track_ids}
    leaves = (
        Item.objects.filter(track_id__in=track_ids)
        .filter(~Exists(Item.objects.filter(parent=OuterRef("pk"))))
        .order_by("track_id", "position", "id")
        .values_list("pk", "track_id", "estimated_minutes")
    )
    for item_id, track_id, minutes in leaves:
        if item_id not in closed and item_id not in pinned:
            remaining[track_id].append(PlanItem(item_id=item_id, minutes=minutes))
    return [
        TrackInput(
            enrollment_id=e.pk,
            track_id=e.track_id,
            priority=e.priority,
            pace=Pace(unit=e.pace_unit, per_day=e.pace_per_day),  # type: ignore[arg-type]
            start_date=e.start_date,
            target_date=e.target_date,
            items=tuple(remaining[e.track_id]),
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


@transaction.atomic
def plan_rebuild(*, user: User, today: dt.date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS) -> PlanRebuild:
    """Re-plans from `today` (the learner's local date by default) for `horizon_days` days."""
    # Locking the profile row serialises two re-plans of one learner (two tabs, a retried request).
    profile = StudyProfile.objects.select_for_update().get_or_create(user=user)[0]
    zone = ZoneInfo(profile.time_zone)
    today = today or local_today(profile.time_zone, timezone.now())

    missed = PlanEntry.objects.filter(user=user, date__lt=today, status=PlanEntry.Status.PLANNED).update(
        status=PlanEntry.Status.MISSED
    )
    PlanEntry.objects.filter(
        user=user, date__gte=today, origin=PlanEntry.Origin.PLANNER, status=PlanEntry.Status.PLANNED
    ).delete()

    enrollments = list(Enrollment.objects.filter(user=user, status=Enrollment.Status.ACTIVE))
    horizon_end = today + dt.timedelta(days=horizon_days)
    plan = build_plan(
        tracks=_track_inputs(user, enrollments, today),
        reviews=_review_inputs(user, zone, dt.datetime.combine(horizon_end, dt.time.min, tzinfo=zone)),
        profile=_profile_input(profile, list(Vacation.objects.filter(user=user, end_date__gte=today))),
        today=today,
        horizon_days=horizon_days,
    )

    # Entries a learner already closed today (done, skipped) or pinned keep their place.
    taken = set(PlanEntry.objects.filter(user=user, date__gte=today).values_list("item_id", "date", "kind"))
    rows = [
        PlanEntry(
            user=user,
            item_id=entry.item_id,
            enrollment_id=entry.enrollment_id,
            date=day.date,
            kind=entry.kind,
            minutes=entry.minutes,
            position=position,
        )
        for day in plan.days
        for position, entry in enumerate(day.entries)
        if (entry.item_id, day.date, entry.kind) not in taken
    ]
    PlanEntry.objects.bulk_create(rows, batch_size=1000)

    finish_by_enrollment = {f.enrollment_id: f.finish_date for f in plan.forecasts}
    changed = []
    for enrollment in enrollments:
        finish = finish_by_enrollment.get(enrollment.pk)
        if enrollment.projected_finish_date != finish:
            enrollment.projected_finish_date = finish
            changed.append(enrollment)
    Enrollment.objects.bulk_update(changed, ["projected_finish_date"])
    if profile.plan_built_on != today:
        profile.plan_built_on = today
        profile.save(update_fields=["plan_built_on"])
    learner_state_bump(user_id=user.pk)
    return PlanRebuild(today=today, entries_created=len(rows), missed_marked=missed, forecasts=plan.forecasts)


def plan_ensure_current(*, user: User, now: dt.datetime | None = None) -> PlanRebuild | None:
    """Re-plans when the learner's day has turned since the last plan (missed work rolls forward)."""
    profile = StudyProfile.objects.get_or_create(user=user)[0]
    today = local_today(profile.time_zone, now or timezone.now())
    if profile.plan_built_on == today:
        return None
    return plan_rebuild(user=user, today=today)
