"""Streaks over local dates: rest days and vacations neither count nor break them."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.planning.streaks import compute_streaks

MON = dt.date(2026, 3, 2)


def days(*offsets: int) -> list[dt.date]:
    return [MON + dt.timedelta(days=o) for o in offsets]


def test_consecutive_days_make_a_streak_that_ends_today():
    assert compute_streaks(active_days=days(0, 1, 2), today=MON + dt.timedelta(days=2)).current == 3


def test_today_without_study_yet_does_not_break_the_streak():
    streaks = compute_streaks(active_days=days(0, 1), today=MON + dt.timedelta(days=2))
    assert streaks.current == 2


def test_a_missed_study_day_breaks_the_streak_but_the_longest_is_kept():
    streaks = compute_streaks(active_days=days(0, 1, 2, 4), today=MON + dt.timedelta(days=4))
    assert (streaks.current, streaks.longest) == (1, 3)


def test_rest_weekdays_do_not_break_a_streak():
    # Friday, then Saturday and Sunday are rest days, then Monday.
    active = days(4, 7)
    assert (
        compute_streaks(active_days=active, today=MON + dt.timedelta(days=7), rest_weekdays=frozenset({5, 6})).current
        == 2
    )
    assert compute_streaks(active_days=active, today=MON + dt.timedelta(days=7)).current == 1


def test_vacations_do_not_break_a_streak_and_study_on_them_still_counts():
    vacation = ((MON + dt.timedelta(days=1), MON + dt.timedelta(days=5)),)
    assert compute_streaks(active_days=days(0, 6), today=MON + dt.timedelta(days=6), vacations=vacation).current == 2
    assert compute_streaks(active_days=days(0, 3, 6), today=MON + dt.timedelta(days=6), vacations=vacation).current == 3


def test_no_activity_means_no_streak():
    assert compute_streaks(active_days=[], today=MON) == compute_streaks(active_days=days(5), today=MON)


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.integers(min_value=0, max_value=60)), st.frozensets(st.integers(min_value=0, max_value=6), max_size=3)
)
def test_streaks_never_exceed_the_active_days_and_current_never_exceeds_longest(offsets, rest):
    today = MON + dt.timedelta(days=60)
    streaks = compute_streaks(active_days=days(*offsets), today=today, rest_weekdays=rest)
    assert 0 <= streaks.current <= streaks.longest <= len(offsets)
    if offsets:
        assert streaks.longest >= 1
    # Without rest days the longest streak is the longest run of consecutive active days.
    if not rest and offsets:
        run = best = 0
        for o in range(0, 61):
            run = run + 1 if o in offsets else 0
            best = max(best, run)
        assert streaks.longest == best
