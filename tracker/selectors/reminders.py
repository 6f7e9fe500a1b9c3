"""Reads for reminder e-mails and calendar feeds.

`reminder_digests` loads what the daily e-mail shows for a whole batch of learners at once: the same
content as Today (tracker/selectors/today.py), but in a fixed number of queries per batch, so sending
an e-mail costs the same whatever the batch or the number of learners.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

from tracker.models import (
    Deadline,
    FeedPost,
    FeedSubscription,
    PlanEntry,
    Progress,
    ReadingQueueEntry,
    ReviewCard,
    ReviewLog,
    StudyProfile,
    User,
    Vacation,
)
from tracker.planning.streaks import compute_streaks
from tracker.selectors.practice import PracticeItem, practice_due_for_users
from tracker.selectors.today import TrackDay

# The current streak is counted over this many days of history, which keeps the e-mail's cost bounded.
STREAK_HISTORY_DAYS = 400


@dataclass
class ReminderDigest:
    """What one learner's daily e-mail shows for one local date."""

    user: User
    profile: StudyProfile
    date: dt.date
    tracks: list[TrackDay] = field(default_factory=list)
    reviews_due: list[ReviewCard] = field(default_factory=list)
    overdue: list[PlanEntry] = field(default_factory=list)
    reading: ReadingQueueEntry | None = None
    new_posts: list[FeedPost] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    current_streak: int = 0
    # Practice due by the end of the day (problem re-solves, ...: tracker/selectors/practice.py).
    practice: list[PracticeItem] = field(default_factory=list)

    @property
    def planned_minutes(self) -> int:
        return sum(e.minutes for day in self.tracks for e in day.entries)


def _end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def reminder_digests(
    *, profiles: Sequence[StudyProfile], dates: dict[int, dt.date], now: dt.datetime
) -> dict[int, ReminderDigest]:
    """Digests for the learners of `profiles` (with `user` joined) on their local date in `dates`
    (by user id). Eleven queries, whatever the number of learners: today's entries, reviews due, overdue
    entries, reading, followed feeds, their new posts, deadlines, the three of the streak (finished
    items, review ratings, vacations) and the practice due (one per practice source: problem re-solves)."""
    profiles = [p for p in profiles if p.user_id in dates]
    if not profiles:
        return {}
    ids = [p.user_id for p in profiles]
    zones = {p.user_id: ZoneInfo(p.time_zone) for p in profiles}
    digests = {p.user_id: ReminderDigest(user=p.user, profile=p, date=dates[p.user_id]) for p in profiles}
    days = set(dates.values())

    # 1. Today's new items, grouped by track in priority order.
    planned_today: dict[int, set[int]] = defaultdict(set)
    by_track: dict[int, dict[int, TrackDay]] = defaultdict(dict)
    entries = (
        PlanEntry.objects.filter(user_id__in=ids, date__in=days, kind=PlanEntry.Kind.NEW)
        .select_related("item", "item__track", "enrollment")
        .order_by("user_id", "enrollment__priority", "position", "id")
    )
    for entry in entries:
        if entry.date != dates[entry.user_id]:
            continue
        planned_today[entry.user_id].add(entry.item_id)
        tracks = by_track[entry.user_id]
        tracks.setdefault(entry.item.track_id, TrackDay(entry.item.track, [])).entries.append(entry)
    for user_id, tracks in by_track.items():
        digests[user_id].tracks = list(tracks.values())

    # 2. Reviews due by the end of each learner's day.
    latest_end = max(_end_of_day(dates[i], zones[i]) for i in ids)
    cards = (
        ReviewCard.objects.filter(user_id__in=ids, due__lt=latest_end)
        .select_related("item", "item__track")
        .order_by("due", "pk")
    )
    for card in cards:
        if card.due < _end_of_day(dates[card.user_id], zones[card.user_id]):
            digests[card.user_id].reviews_due.append(card)

    # 2b. Practice due by the end of each learner's day (one query per source).
    for user_id, items in practice_due_for_users(user_ids=ids, until=latest_end).items():
        end = _end_of_day(dates[user_id], zones[user_id])
        digests[user_id].practice = [item for item in items if item.due < end]

    # 3. Missed on an earlier day, not finished since and not planned again today (as Today shows them).
    finished = Progress.objects.filter(
        user_id=OuterRef("user_id"), item_id=OuterRef("item_id"), status__in=Progress.CLOSED_STATUSES
    )
    missed = (
        PlanEntry.objects.filter(
            user_id__in=ids, date__lt=max(days), status=PlanEntry.Status.MISSED, kind=PlanEntry.Kind.NEW
        )
        .exclude(Exists(finished))
        .select_related("item", "item__track")
        .order_by("user_id", "date", "position", "id")
    )
    seen: set[tuple[int, int]] = set()
    for entry in missed:
        key = (entry.user_id, entry.item_id)
        if entry.date >= dates[entry.user_id] or entry.item_id in planned_today[entry.user_id] or key in seen:
            continue
        seen.add(key)
        digests[entry.user_id].overdue.append(entry)

    # 4. The first of each reading queue: what is being read, else the next queued.
    reading = (
        ReadingQueueEntry.objects.filter(user_id__in=ids, status__in=["reading", "queued"])
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("user_id")],
                order_by=[
                    Case(When(status="reading", then=Value(0)), default=Value(1), output_field=IntegerField()),
                    F("position"),
                    F("id"),
                ],
            )
        )
        .filter(rank=1)
        .select_related("item", "item__track")
    )
    for queued in reading:
        digests[queued.user_id].reading = queued

    # 5, 6. New posts of followed blogs in the last day, newest first.
    feeds_of: dict[int, list[int]] = defaultdict(list)
    for user_id, feed_id in FeedSubscription.objects.filter(user_id__in=ids).values_list("user_id", "feed_id"):
        feeds_of[user_id].append(feed_id)
    limit = settings.REMINDERS_NEW_POSTS_LIMIT
    posts_of: dict[int, list[FeedPost]] = defaultdict(list)
    feed_ids = {f for fs in feeds_of.values() for f in fs}
    if feed_ids:
        newest = Window(
            RowNumber(), partition_by=[F("feed_id")], order_by=[F("published_at").desc(nulls_last=True), F("id").desc()]
        )
        posts = (
            FeedPost.objects.filter(
                feed_id__in=feed_ids, deleted_at__isnull=True, created_at__gte=now - dt.timedelta(days=1)
            )
            .annotate(rank=newest)
            .filter(rank__lte=limit)
            .select_related("feed")
        )
        for post in posts:
            posts_of[post.feed_id].append(post)
    for user_id, followed in feeds_of.items():
        mine = [p for f in followed for p in posts_of.get(f, ())]
        mine.sort(key=lambda p: (p.published_at or p.created_at, p.pk), reverse=True)
        digests[user_id].new_posts = mine[:limit]

    # 7. Deadlines in the next week: the learner's own and the public ones.
    deadlines = (
        Deadline.objects.filter(
            Q(owner_id__in=ids) | Q(owner__isnull=True),
            due_at__gte=now,
            due_at__lt=now + settings.REMINDERS_DEADLINE_WINDOW,
        )
        .select_related("track")
        .order_by("due_at", "pk")
    )
    for deadline in deadlines:
        for user_id in ids if deadline.owner_id is None else [deadline.owner_id]:
            if user_id in digests:
                digests[user_id].deadlines.append(deadline)

    # 8-10. The current streak, on each learner's local dates.
    since = now - dt.timedelta(days=STREAK_HISTORY_DAYS)
    active: dict[int, set[dt.date]] = defaultdict(set)
    done = Progress.objects.filter(
        user_id__in=ids, status__in=Progress.COMPLETED_STATUSES, done_at__isnull=False, done_at__gte=since
    ).values_list("user_id", "done_at")
    for user_id, done_at in done:
        if done_at is not None:
            active[user_id].add(done_at.astimezone(zones[user_id]).date())
    logs = ReviewLog.objects.filter(user_id__in=ids, reviewed_at__gte=since).values_list("user_id", "reviewed_at")
    for user_id, reviewed_at in logs:
        active[user_id].add(reviewed_at.astimezone(zones[user_id]).date())
    away = vacations_by_user(user_ids=ids)
    for user_id, digest in digests.items():
        digest.current_streak = compute_streaks(
            active_days=active.get(user_id, ()),
            today=digest.date,
            rest_weekdays=frozenset(digest.profile.rest_weekdays),
            vacations=away.get(user_id, ()),
        ).current
    return digests


def vacations_by_user(*, user_ids: Sequence[int]) -> dict[int, tuple[tuple[dt.date, dt.date], ...]]:
    """Each learner's vacations as (first, last) dates. One query."""
    found: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    rows = Vacation.objects.filter(user_id__in=user_ids).values_list("user_id", "start_date", "end_date")
    for user_id, start, end in rows:
        found[user_id].append((start, end))
    return {user_id: tuple(spans) for user_id, spans in found.items()}


def calendar_profile_by_token(*, token: str) -> StudyProfile | None:
    """The profile whose private calendar URL holds `token`, with its user; None for an unknown one."""
    if not token:
        return None
    return StudyProfile.objects.select_related("user").filter(calendar_token=token).first()


def calendar_plan_entries(*, user: User, since: dt.date) -> QuerySet[PlanEntry]:
    """The learner's plan entries from `since` on, with item and track. One query."""
    return (
        PlanEntry.objects.filter(user=user, date__gte=since)
        .exclude(status=PlanEntry.Status.SKIPPED)
        .select_related("item", "item__track")
        .order_by("date", "position", "id")
    )


def calendar_deadlines(*, user: User | None) -> QuerySet[Deadline]:
    """A learner's own deadlines, or (user None) the curated public ones. One query."""
    deadlines = Deadline.objects.filter(owner__isnull=True) if user is None else Deadline.objects.filter(owner=user)
    return deadlines.select_related("track").order_by("due_at", "pk")
