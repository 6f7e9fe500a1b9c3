"""Reads the web dashboard needs beyond Today, the plan and the catalogue: tag filters, the reading
queue, the skills matrix, deadlines, vacations, a learner's own rows by id, and when each finished
item of a track was done (the burn-up chart). Each is one query, or says otherwise."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from tracker.models import (
    Deadline,
    Enrollment,
    Item,
    Progress,
    ReadingQueueEntry,
    ReviewLog,
    Skill,
    SkillAssessment,
    StudyProfile,
    Tag,
    Track,
    User,
    Vacation,
)
from tracker.planning.streaks import compute_streaks
from tracker.selectors.catalogue import catalogue_tracks, track_visible_to
from tracker.selectors.stats import DayStat, StudyStats

READ_HISTORY = 30


def catalogue_filtered(*, user: User, kind: str = "", tag: str = "", query: str = "") -> QuerySet[Track]:
    """The catalogue (see `catalogue_tracks`) narrowed to a kind, a tag and a search text, with the
    tracks' tags prefetched. Two queries."""
    tracks = catalogue_tracks(user=user, kind=kind or None, query=query.strip())
    if tag:
        tracks = tracks.filter(tags__slug=tag)
    return tracks.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("slug")))


def catalogue_tags() -> QuerySet[Tag]:
    """Tags on at least one published curated track, for the catalogue's filter. One query."""
    return Tag.objects.filter(tracks__owner__isnull=True, tracks__is_published=True).distinct().order_by("slug")


def items_visible_to(*, user: User) -> QuerySet[Item]:
    """Items of the tracks a learner may open, with their track joined."""
    return Item.objects.filter(track__in=track_visible_to(user=user)).select_related("track")


def enrollments_of(*, user: User) -> QuerySet[Enrollment]:
    """The learner's enrolments with their track, by priority."""
    return Enrollment.objects.filter(user=user).select_related("track", "user").order_by("priority", "id")


def enrollment_for(*, user: User, track: Track) -> Enrollment | None:
    """The learner's enrolment in the track, if any. One query."""
    return Enrollment.objects.filter(user=user, track=track).first()


def reading_queue(*, user: User) -> QuerySet[ReadingQueueEntry]:
    """The learner's queue in its order, read and dropped entries included, with item and track, and for
    entries that came from a blog feed the post and its feed."""
    return (
        ReadingQueueEntry.objects.filter(user=user)
        .select_related("item", "item__track", "user", "post__feed")
        .order_by("position", "id")
    )


def reading_page(*, user: User) -> tuple[list[ReadingQueueEntry], list[ReadingQueueEntry]]:
    """What is still to read (reading first, then queued, in queue order) and the most recently read
    entries with their summaries. Two queries."""
    to_read = list(
        reading_queue(user=user)
        .filter(status__in=[ReadingQueueEntry.Status.READING, ReadingQueueEntry.Status.QUEUED])
        .order_by(
            Case(When(status="reading", then=Value(0)), default=Value(1), output_field=IntegerField()),
            "position",
            "id",
        )
    )
    read = list(
        reading_queue(user=user).filter(status=ReadingQueueEntry.Status.READ).order_by("-read_at", "-id")[:READ_HISTORY]
    )
    return to_read, read


def skills_matrix(*, user: User) -> QuerySet[Skill]:
    """Every skill, T3 first, with `my_level` (None when unrated) and `visible_tracks`, the tracks
    that teach it which the learner may open. Two queries."""
    return (
        Skill.objects.annotate(
            my_level=Subquery(
                SkillAssessment.objects.filter(user=user, skill=OuterRef("pk")).values("level")[:1],
                output_field=IntegerField(),
            )
        )
        .prefetch_related(
            Prefetch(
                "tracks",
                queryset=track_visible_to(user=user).order_by("title_en", "id"),
                to_attr="visible_tracks",
            )
        )
        .order_by("-tier", "position", "key")
    )


def deadlines_page(*, user: User, now: dt.datetime) -> tuple[list[Deadline], list[Deadline]]:
    """Upcoming deadlines, public and the learner's own, soonest first; and the learner's own that
    passed in the last 30 days, latest first. Two queries."""
    mine_or_public = Q(owner=user) | Q(owner__isnull=True)
    upcoming = list(
        Deadline.objects.filter(mine_or_public, due_at__gte=now).select_related("track").order_by("due_at", "id")
    )
    past = list(
        Deadline.objects.filter(owner=user, due_at__lt=now, due_at__gte=now - dt.timedelta(days=30))
        .select_related("track")
        .order_by("-due_at", "-id")
    )
    return upcoming, past


def own_deadlines(*, user: User) -> QuerySet[Deadline]:
    """Deadlines the learner made (public ones are curated elsewhere)."""
    return Deadline.objects.filter(owner=user)


def vacations_of(*, user: User) -> QuerySet[Vacation]:
    """The learner's vacations, latest first."""
    return Vacation.objects.filter(user=user).select_related("user").order_by("-start_date", "-id")


def progress_overview(
    *, user: User, profile: StudyProfile, today: dt.date
) -> tuple[StudyStats, dict[int, list[tuple[dt.date, int]]]]:
    """The study statistics (as `study_stats`) and, from the same rows, how many items of each track
    were finished on each local day (oldest first) for the burn-up charts. Three queries, as
    `study_stats`: the finished items are read once for both."""
    zone = ZoneInfo(profile.time_zone)
    days: dict[dt.date, DayStat] = defaultdict(DayStat)
    per_track: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    finished = Progress.objects.filter(
        user=user, status__in=Progress.COMPLETED_STATUSES, done_at__isnull=False
    ).values_list("done_at", "time_spent_minutes", "item__track_id")
    for done_at, minutes, track_id in finished:
        if done_at is None:  # excluded by the filter; keeps the type checker informed
            continue
        day = done_at.astimezone(zone).date()
        stat = days[day]
        stat.items_done += 1
        stat.minutes += minutes
        per_track[track_id][day] += 1
    for reviewed_at, seconds in ReviewLog.objects.filter(user=user).values_list("reviewed_at", "duration_seconds"):
        stat = days[reviewed_at.astimezone(zone).date()]
        stat.reviews += 1
        stat.minutes += round((seconds or 0) / 60)
    vacations = tuple(Vacation.objects.filter(user=user).values_list("start_date", "end_date"))
    streaks = compute_streaks(
        active_days=[d for d, s in days.items() if s.active],
        today=today,
        rest_weekdays=frozenset(profile.rest_weekdays),
        vacations=vacations,
    )
    stats = StudyStats(today=today, current_streak=streaks.current, longest_streak=streaks.longest, days=dict(days))
    return stats, {track: sorted(counts.items()) for track, counts in per_track.items()}
