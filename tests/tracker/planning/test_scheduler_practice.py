"""Practice outside the tracks (problem re-solves due) shrinks the budget of the day it is due (rule 4b of
tracker/planning/scheduler.py)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.planning.scheduler import Pace, PlanItem, PracticeDue, StudyProfileInput, TrackInput, build_plan

MONDAY = date(2025, 1, 6)


def track(minutes: list[int]) -> TrackInput:
    return TrackInput(
        enrollment_id=1,
        track_id=10,
        priority=1,
        pace=Pace("minutes", 600),
        start_date=MONDAY,
        target_date=None,
        items=tuple(PlanItem(1000 + i, m) for i, m in enumerate(minutes)),
    )


def study(daily: int = 120, rest: frozenset[int] = frozenset()) -> StudyProfileInput:
    return StudyProfileInput(parallel_limit=3, daily_minutes=daily, rest_weekdays=rest, vacations=())


def minutes_on(result, day: date) -> int:
    return sum(e.minutes for d in result.days if d.date == day for e in d.entries)


def test_a_re_solve_due_today_takes_its_minutes_off_todays_budget():
    plain = build_plan(tracks=[track([30] * 20)], reviews=[], profile=study(120), today=MONDAY, horizon_days=3)
    with_practice = build_plan(
        tracks=[track([30] * 20)],
        reviews=[],
        profile=study(120),
        today=MONDAY,
        horizon_days=3,
        practice=[PracticeDue(MONDAY, 25), PracticeDue(MONDAY - timedelta(days=4), 15)],
    )
    assert minutes_on(plain, MONDAY) == 120
    assert minutes_on(with_practice, MONDAY) == 60  # 120 - 40 leaves room for two 30-minute items
    assert minutes_on(with_practice, MONDAY + timedelta(days=1)) == 120


def test_practice_due_on_a_rest_day_counts_on_the_next_study_day():
    sunday = MONDAY + timedelta(days=6)
    result = build_plan(
        tracks=[track([30] * 40)],
        reviews=[],
        profile=study(120, rest=frozenset({6})),
        today=MONDAY,
        horizon_days=8,
        practice=[PracticeDue(sunday, 40)],
    )
    assert minutes_on(result, sunday) == 0
    assert minutes_on(result, sunday + timedelta(days=1)) == 60


def test_a_day_whose_budget_practice_takes_whole_gets_no_new_items():
    result = build_plan(
        tracks=[track([30] * 5)], reviews=[], profile=study(60), today=MONDAY, horizon_days=2,
        practice=[PracticeDue(MONDAY, 25), PracticeDue(MONDAY, 40)],
    )  # fmt: skip
    assert result.days[0].entries == () and minutes_on(result, MONDAY + timedelta(days=1)) == 60


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(1, 60), min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(-5, 20), st.integers(0, 60)), max_size=15),
    st.integers(30, 240),
)
def test_planned_minutes_plus_practice_never_exceed_the_budget(items, practice, daily):
    due = [PracticeDue(MONDAY + timedelta(days=offset), m) for offset, m in practice]
    result = build_plan(
        tracks=[track(items)], reviews=[], profile=study(daily), today=MONDAY, horizon_days=25, practice=due
    )
    taken = 0
    for day in result.days:
        practice_today = sum(p.minutes for p in due if p.due <= day.date) - taken
        taken += practice_today
        planned = sum(e.minutes for e in day.entries)
        oversized = len(day.entries) == 1 and day.entries[0].minutes > daily  # rule 3: a day of its own
        assert planned == 0 or oversized or planned + practice_today <= daily


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 60), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(-5, 40), st.integers(0, 60)), max_size=15),
    st.integers(30, 240),
    st.frozensets(st.integers(0, 6), max_size=2),
)
def test_the_forecasts_fast_forward_gives_the_day_by_day_plan_with_practice(items, practice, daily, rest):
    due = [PracticeDue(MONDAY + timedelta(days=offset), m) for offset, m in practice]
    args = {"tracks": [track(items * 20)], "reviews": [], "profile": study(daily, rest=rest), "today": MONDAY}
    fast = build_plan(**args, horizon_days=14, practice=due)
    slow = build_plan(**args, horizon_days=14, practice=due, fast_forward=False)
    assert fast == slow
