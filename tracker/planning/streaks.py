"""Streaks: consecutive study days, where rest weekdays and vacations neither count nor break one.

Pure functions over dates, so time zones are settled before they are called: the caller turns each
finished item's instant into the learner's local date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Streaks:
    current: int
    longest: int


def _is_off(day: date, rest_weekdays: frozenset[int], vacations: tuple[tuple[date, date], ...]) -> bool:
    return day.weekday() in rest_weekdays or any(first <= day <= last for first, last in vacations)


def compute_streaks(
    *,
    active_days: Iterable[date],
    today: date,
    rest_weekdays: frozenset[int] = frozenset(),
    vacations: tuple[tuple[date, date], ...] = (),
) -> Streaks:
    """The current streak (ending today, or yesterday while today is still open) and the longest one.

    A day counts when it is in `active_days`. A study day without activity breaks the streak, except
    today, which is not over yet. A rest or vacation day without activity is skipped; with activity it
    counts like any other day.
    """
    active = {d for d in active_days if d <= today}
    if not active:
        return Streaks(0, 0)
    longest = run = 0
    day = min(active)
    one = timedelta(days=1)
    while day <= today:
        if day in active:
            run += 1
        elif not _is_off(day, rest_weekdays, vacations) and day != today:
            run = 0
        longest = max(longest, run)
        day += one
    return Streaks(current=run, longest=longest)
