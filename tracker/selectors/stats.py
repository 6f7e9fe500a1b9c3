"""Study statistics: per-day counts for the heatmap and the streaks, and per track for the burn-up
charts, in the learner's time zone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from tracker.models import Progress, ReviewLog, StudyProfile, User, Vacation
from tracker.planning.streaks import compute_streaks


@dataclass
class DayStat:
    items_done: int = 0
    reviews: int = 0
    minutes: int = 0

    @property
    def active(self) -> bool:
        return bool(self.items_done or self.reviews)


@dataclass
class StudyStats:
    today: dt.date
    current_streak: int
    longest_streak: int
    days: dict[dt.date, DayStat] = field(default_factory=dict)
    # Per track id: (local day, items of the track finished that day), oldest first.
    done_by_track: dict[int, list[tuple[dt.date, int]]] = field(default_factory=dict)

    def heatmap(self, *, days: int = 365) -> list[tuple[dt.date, DayStat]]:
        """One entry per calendar day, oldest first, ending today."""
        first = self.today - dt.timedelta(days=days - 1)
        return [
            (first + dt.timedelta(days=n), self.days.get(first + dt.timedelta(days=n), DayStat())) for n in range(days)
        ]


def study_stats(*, user: User, profile: StudyProfile, today: dt.date) -> StudyStats:
    """Three queries: finished items, review ratings, vacations. Each instant is bucketed on the
    learner's local date, so 23:30 in Asia/Shanghai counts for that Shanghai day."""
    zone = ZoneInfo(profile.time_zone)
    days: dict[dt.date, DayStat] = defaultdict(DayStat)
    per_track: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    done = Progress.objects.filter(
        user=user, status__in=Progress.COMPLETED_STATUSES, done_at__isnull=False
    ).values_list("done_at", "time_spent_minutes", "item__track_id")
    for done_at, minutes, track_id in done:
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
    return StudyStats(
        today=today,
        current_streak=streaks.current,
        longest_streak=streaks.longest,
        days=dict(days),
        done_by_track={track: sorted(counts.items()) for track, counts in per_track.items()},
    )
