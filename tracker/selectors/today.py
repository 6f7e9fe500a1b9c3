"""The learner's Today: everything for the day in one bundle, at a fixed cost in queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, Min, Prefetch, Q, QuerySet, Value, When

from tracker.models import Deadline, Item, PlanEntry, Progress, ReadingQueueEntry, ReviewCard, StudyProfile, Track, User
from tracker.selectors.practice import PracticeItem, practice_due
from tracker.selectors.stats import study_stats
from tracker.timezones import local_today

DEADLINE_WINDOW = dt.timedelta(days=14)


@dataclass
class TrackDay:
    track: Track
    entries: list[PlanEntry]


@dataclass
class TodayBundle:
    date: dt.date
    profile: StudyProfile
    tracks: list[TrackDay]
    reviews_due: list[ReviewCard]
    overdue: list[PlanEntry]
    reading: ReadingQueueEntry | None
    deadlines: list[Deadline]
    current_streak: int
    longest_streak: int
    # The bundle is the same for every instant before this one (then its date or deadlines change).
    valid_until: dt.datetime
    # Practice due by the end of the day outside the tracks (problem re-solves, ...: tracker/selectors/practice.py).
    practice: list[PracticeItem] = field(default_factory=list)

    @property
    def planned_minutes(self) -> int:
        return sum(e.minutes for day in self.tracks for e in day.entries)

    @property
    def practice_minutes(self) -> int:
        return sum(item.minutes for item in self.practice)


def _with_my_progress(user: User) -> Prefetch[Literal["item__progress"], QuerySet[Progress], Literal["my_progress"]]:
    return Prefetch("item__progress", queryset=Progress.objects.filter(user=user), to_attr="my_progress")


def today_bundle(*, user: User, now: dt.datetime, profile: StudyProfile | None = None) -> TodayBundle:
    """Today's new items by track, reviews due, overdue items, today's reading, deadlines in the
    next 14 days, practice due (problem re-solves, one query per practice source) and the streak. At most 12
    queries, whatever the amount of data: profile (none when given), today's entries, their progress, reviews
    due, overdue entries, reading, deadlines, the next deadline after the window, problem re-solves due, and the
    three of the streak (finished items, review ratings, vacations).

    What depends on the time of day rather than on the data: the deadlines (one leaves when it passes,
    one comes in 14 days before it is due) and the date. Reviews due at any time today are listed from
    the day's start, so their due times do not matter. `valid_until` is the first instant at which
    either could change what the bundle holds, so a copy of it can be kept until then."""
    profile = profile or StudyProfile.objects.get_or_create(user=user)[0]
    zone = ZoneInfo(profile.time_zone)
    today = local_today(profile.time_zone, now)
    end_of_today = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=zone)

    entries = list(
        PlanEntry.objects.filter(user=user, date=today, kind=PlanEntry.Kind.NEW)
        .select_related("item", "item__track", "enrollment")
        .prefetch_related(_with_my_progress(user))
        .order_by("enrollment__priority", "position", "id")
    )
    by_track: dict[int, TrackDay] = {}
    for entry in entries:
        by_track.setdefault(entry.item.track_id, TrackDay(entry.item.track, [])).entries.append(entry)

    reviews = list(
        ReviewCard.objects.filter(user=user, due__lt=end_of_today).select_related("item", "item__track").order_by("due")
    )
    # Missed on an earlier day and not done since: shown apart, so nothing slips by unnoticed.
    overdue = list(
        PlanEntry.objects.filter(user=user, date__lt=today, status=PlanEntry.Status.MISSED, kind=PlanEntry.Kind.NEW)
        .exclude(item__progress__user=user, item__progress__status__in=Progress.CLOSED_STATUSES)
        .exclude(item__in=Item.objects.filter(plan_entries__user=user, plan_entries__date=today))
        .select_related("item", "item__track")
        .order_by("date", "position")
    )
    first_of_item: dict[int, PlanEntry] = {}
    for entry in overdue:
        first_of_item.setdefault(entry.item_id, entry)
    overdue = list(first_of_item.values())

    reading = (
        ReadingQueueEntry.objects.filter(user=user, status__in=["reading", "queued"])
        .select_related("item", "item__track", "post__feed")
        .order_by(
            Case(When(status="reading", then=Value(0)), default=Value(1), output_field=IntegerField()), "position", "id"
        )
        .first()
    )
    deadlines = list(
        Deadline.objects.filter(
            Q(owner=user) | Q(owner__isnull=True), due_at__gte=now, due_at__lt=now + DEADLINE_WINDOW
        )
        .select_related("track")
        .order_by("due_at")
    )
    next_in = Deadline.objects.filter(
        Q(owner=user) | Q(owner__isnull=True), due_at__gte=now + DEADLINE_WINDOW
    ).aggregate(first=Min("due_at"))["first"]
    changes = [end_of_today, *(d.due_at for d in deadlines[:1])]
    if next_in is not None:
        changes.append(next_in - DEADLINE_WINDOW)
    practice = practice_due(user=user, until=end_of_today)
    stats = study_stats(user=user, profile=profile, today=today)
    return TodayBundle(
        date=today,
        profile=profile,
        tracks=list(by_track.values()),
        reviews_due=reviews,
        overdue=overdue,
        reading=reading,
        deadlines=deadlines,
        current_streak=stats.current_streak,
        longest_streak=stats.longest_streak,
        valid_until=min(changes),
        practice=practice,
    )
