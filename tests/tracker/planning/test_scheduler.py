"""Tests of the study-plan scheduler.

Property tests check each rule of `tracker.planning.scheduler` against the inputs (the calendar, the tracks'
items and the reviews), never against numbers the scheduler computed, so a broken rule makes them fail.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.planning.scheduler import (
    Pace,
    Plan,
    PlanDay,
    PlanEntry,
    PlanItem,
    ReviewDue,
    StudyProfileInput,
    TrackInput,
    build_plan,
)

MONDAY = date(2025, 1, 6)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


# --- Builders -------------------------------------------------------------------------------------


def profile(
    *,
    parallel_limit: int = 3,
    daily_minutes: int = 120,
    rest_weekdays: frozenset[int] = frozenset(),
    vacations: tuple[tuple[date, date], ...] = (),
) -> StudyProfileInput:
    return StudyProfileInput(
        parallel_limit=parallel_limit,
        daily_minutes=daily_minutes,
        rest_weekdays=rest_weekdays,
        vacations=vacations,
    )


def track(
    enrollment_id: int,
    minutes: list[int],
    *,
    priority: int = 1,
    pace: Pace | None = None,
    start_date: date = MONDAY,
    target_date: date | None = None,
    track_id: int | None = None,
) -> TrackInput:
    return TrackInput(
        enrollment_id=enrollment_id,
        track_id=enrollment_id * 10 if track_id is None else track_id,
        priority=priority,
        pace=pace or Pace("minutes", 600),
        start_date=start_date,
        target_date=target_date,
        items=tuple(PlanItem(enrollment_id * 1000 + i, m) for i, m in enumerate(minutes)),
    )


def plan(
    tracks: list[TrackInput],
    reviews: list[ReviewDue] | None = None,
    study: StudyProfileInput | None = None,
    *,
    today: date = MONDAY,
    horizon_days: int = 30,
) -> Plan:
    return build_plan(
        tracks=tracks,
        reviews=reviews or [],
        profile=study or profile(),
        today=today,
        horizon_days=horizon_days,
    )


def new_items_on(day: PlanDay, enrollment_id: int) -> list[int]:
    return [e.item_id for e in day.entries if e.kind == "new" and e.enrollment_id == enrollment_id]


# --- Independent checks ---------------------------------------------------------------------------


def is_study_day(study: StudyProfileInput, day: date) -> bool:
    if day.weekday() in study.rest_weekdays:
        return False
    return not any(first <= day <= last for first, last in study.vacations)


def is_oversized_day(day: PlanDay, study: StudyProfileInput) -> bool:
    """A day given whole to one entry longer than the budget."""
    return len(day.entries) == 1 and day.entries[0].minutes > study.daily_minutes


def placed_before_each_day(result: Plan) -> list[dict[int, int]]:
    """For each day of the plan, how many items of each enrollment were placed on earlier days."""
    counts: dict[int, int] = defaultdict(int)
    before: list[dict[int, int]] = []
    for day in result.days:
        before.append(dict(counts))
        for entry in day.entries:
            if entry.kind == "new":
                assert entry.enrollment_id is not None
                counts[entry.enrollment_id] += 1
    return before


def eligible_by_priority(tracks: list[TrackInput], placed: dict[int, int], day: date) -> list[TrackInput]:
    """Tracks that may hold a slot at the start of `day`, best first."""
    ready = [t for t in tracks if t.start_date <= day and placed.get(t.enrollment_id, 0) < len(t.items)]
    return sorted(ready, key=lambda t: (t.priority, t.enrollment_id))


def same_review(entry: PlanEntry, review: ReviewDue) -> bool:
    return (entry.item_id, entry.track_id, entry.minutes) == (review.item_id, review.track_id, review.minutes)


# --- Strategies -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    tracks: list[TrackInput]
    reviews: list[ReviewDue]
    study: StudyProfileInput
    today: date
    horizon_days: int

    def build(self, *, fast_forward: bool = True) -> Plan:
        return build_plan(
            tracks=self.tracks,
            reviews=self.reviews,
            profile=self.study,
            today=self.today,
            horizon_days=self.horizon_days,
            fast_forward=fast_forward,
        )


# Strategies are built once here, not inside `scenarios`: building them on every draw costs more than the
# scheduler itself. Dates are drawn as day offsets from `today`.
PACES = st.one_of(
    st.builds(Pace, unit=st.just("minutes"), per_day=st.integers(1, 150)),
    st.builds(Pace, unit=st.just("items"), per_day=st.integers(1, 6)),
)
TODAYS = st.dates(date(2024, 1, 1), date(2030, 12, 31))
DAILY_MINUTES = st.integers(10, 180)
PARALLEL_LIMITS = st.integers(1, 4)
VACATIONS = st.lists(st.tuples(st.integers(-10, 100), st.integers(0, 20)), max_size=3)
REST_WEEKDAYS = st.sets(st.integers(0, 6), max_size=4)
ENROLLMENT_IDS = st.lists(st.integers(1, 99), unique=True, max_size=5)
ITEM_BYTES = st.binary(max_size=25)
TARGET_OFFSETS = st.none() | st.integers(-5, 300)
TRACK_IDS = st.integers(1, 8)
PRIORITIES = st.integers(0, 4)
START_OFFSETS = st.integers(-5, 40)
REVIEWS = st.lists(
    st.tuples(
        st.integers(1, 60),
        TRACK_IDS,
        st.integers(-10, 50),
        st.one_of(st.integers(0, 40), st.integers(0, 250)),
    ),
    max_size=15,
)
HORIZONS = st.integers(1, 120)


def usual_minutes(byte: int) -> int:
    """Mostly 0..60 minutes, and one item in eight anywhere in 0..248, often longer than a day's budget."""
    return byte % 61 if byte < 224 else (byte - 224) * 8


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    with_reviews: bool = True,
    item_minutes: Callable[[int], int] = usual_minutes,
    parallel_limit: st.SearchStrategy[int] = PARALLEL_LIMITS,
) -> Scenario:
    today = draw(TODAYS)

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    study = StudyProfileInput(
        parallel_limit=draw(parallel_limit),
        daily_minutes=draw(DAILY_MINUTES),
        rest_weekdays=frozenset(draw(REST_WEEKDAYS)),
        vacations=tuple((day(first), day(first + length)) for first, length in draw(VACATIONS)),
    )
    tracks = []
    for enrollment_id in draw(ENROLLMENT_IDS):
        # One byte per item: a single draw per track keeps 200 examples fast, and bytes shrink toward 0.
        item_bytes = draw(ITEM_BYTES)
        target = draw(TARGET_OFFSETS)
        tracks.append(
            TrackInput(
                enrollment_id=enrollment_id,
                track_id=draw(TRACK_IDS),
                priority=draw(PRIORITIES),
                pace=draw(PACES),
                start_date=day(draw(START_OFFSETS)),
                target_date=None if target is None else day(target),
                items=tuple(PlanItem(enrollment_id * 1000 + i, item_minutes(b)) for i, b in enumerate(item_bytes)),
            )
        )
    reviews = []
    if with_reviews:
        reviews = [ReviewDue(item_id, track_id, day(due), minutes) for item_id, track_id, due, minutes in draw(REVIEWS)]
    return Scenario(tracks, reviews, study, today, draw(HORIZONS))


# --- Parallel limit and slots ---------------------------------------------------------------------


def test_at_most_parallel_limit_tracks_start_on_the_same_day() -> None:
    tracks = [track(1, [10] * 5), track(2, [10] * 5), track(3, [10] * 5)]

    result = plan(tracks, study=profile(parallel_limit=2))

    assert new_items_on(result.days[0], 1) and new_items_on(result.days[0], 2)
    assert new_items_on(result.days[0], 3) == []


@PROPERTY_SETTINGS
@given(scenarios())
def test_plan_never_exceeds_the_parallel_limit(scenario: Scenario) -> None:
    result = scenario.build()

    for day in result.days:
        tracks_with_new = {e.enrollment_id for e in day.entries if e.kind == "new"}
        assert len(tracks_with_new) <= scenario.study.parallel_limit, day


def test_slots_go_to_the_lowest_priority_numbers_then_lowest_enrollment_ids() -> None:
    tracks = [
        track(1, [10] * 3, priority=3),
        track(7, [10] * 3, priority=1),
        track(5, [10] * 3, priority=2),
        track(4, [10] * 3, priority=2),
    ]

    first_day = plan(tracks, study=profile(parallel_limit=2)).days[0]

    assert {e.enrollment_id for e in first_day.entries} == {7, 4}


@PROPERTY_SETTINGS
@given(scenarios())
def test_slots_go_to_highest_priority_tracks_with_work(scenario: Scenario) -> None:
    result = scenario.build()

    for day, placed in zip(result.days, placed_before_each_day(result), strict=True):
        slotted = eligible_by_priority(scenario.tracks, placed, day.date)[: scenario.study.parallel_limit]
        slotted_ids = {t.enrollment_id for t in slotted}
        tracks_with_new = {e.enrollment_id for e in day.entries if e.kind == "new"}
        assert tracks_with_new <= slotted_ids, (day.date, tracks_with_new, slotted_ids)


def test_next_track_by_priority_takes_a_freed_slot_the_next_day() -> None:
    first = track(1, [10, 10], priority=1)
    second = track(2, [10, 10, 10], priority=2)
    third = track(3, [10, 10], priority=3)
    # Saturday and Sunday are rest days, so "next day" means the next study day.
    study = profile(parallel_limit=1, daily_minutes=120, rest_weekdays=frozenset({5, 6}))

    result = plan([third, second, first], study=study, today=MONDAY + timedelta(days=4))  # a Friday

    friday, saturday, sunday, monday = result.days[:4]
    assert new_items_on(friday, 1) == [1000, 1001]
    # Budget is left on Friday, but the slot was handed out at the start of the day.
    assert new_items_on(friday, 2) == []
    assert saturday.entries == () and sunday.entries == ()
    assert new_items_on(monday, 2) == [2000, 2001, 2002]
    assert new_items_on(monday, 3) == []
    assert new_items_on(result.days[4], 3) == [3000, 3001]


@PROPERTY_SETTINGS
@given(scenarios(with_reviews=False, item_minutes=lambda byte: byte % 11, parallel_limit=st.just(1)))
def test_with_one_slot_the_best_track_with_work_studies_every_study_day(scenario: Scenario) -> None:
    # Items of at most 10 minutes always fit a budget of 10 or more, and there are no reviews: the single
    # slot must go, each study day, to the best track with work, and it must progress.
    result = scenario.build()

    for day, placed in zip(result.days, placed_before_each_day(result), strict=True):
        tracks_with_new = {e.enrollment_id for e in day.entries if e.kind == "new"}
        eligible = eligible_by_priority(scenario.tracks, placed, day.date)
        if day.is_study_day and eligible:
            assert tracks_with_new == {eligible[0].enrollment_id}, day.date
        else:
            assert tracks_with_new == set(), day.date


# --- Items ----------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenarios())
def test_items_keep_their_order_and_appear_once(scenario: Scenario) -> None:
    result = scenario.build()
    by_enrollment = {t.enrollment_id: t for t in scenario.tracks}
    placed: dict[int, list[PlanEntry]] = defaultdict(list)
    for day in result.days:
        for entry in day.entries:
            if entry.kind != "new":
                continue
            assert entry.enrollment_id in by_enrollment
            source = by_enrollment[entry.enrollment_id]
            assert entry.track_id == source.track_id
            assert day.date >= source.start_date
            placed[entry.enrollment_id].append(entry)

    for enrollment_id, entries in placed.items():
        items = by_enrollment[enrollment_id].items
        got = [(e.item_id, e.minutes) for e in entries]
        assert got == [(i.item_id, i.minutes) for i in items[: len(got)]]


def test_an_item_that_does_not_fit_waits_and_later_items_do_not_jump_ahead() -> None:
    result = plan([track(1, [50, 50, 10])], study=profile(daily_minutes=60))

    assert [new_items_on(day, 1) for day in result.days[:2]] == [[1000], [1001, 1002]]


# --- Budget and pace ------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenarios())
def test_daily_budget_is_never_exceeded_except_an_oversized_item_alone(scenario: Scenario) -> None:
    result = scenario.build()
    budget = scenario.study.daily_minutes

    for day in result.days:
        total = sum(e.minutes for e in day.entries)
        assert total <= budget or is_oversized_day(day, scenario.study), day
        for entry in day.entries:
            if entry.minutes > budget:
                assert day.entries == (entry,), day


def test_an_oversized_item_gets_a_day_of_its_own_and_others_continue_the_next_day() -> None:
    steady = track(1, [30] * 10, priority=1)
    long_lecture = track(2, [90, 20], priority=2)

    result = plan([steady, long_lecture], study=profile(daily_minutes=60))

    first, second, third = result.days[:3]
    assert [e.item_id for e in first.entries] == [2000]
    assert new_items_on(second, 1) == [1000, 1001]
    assert new_items_on(second, 2) == []  # 20 more minutes do not fit after track 1's 60
    assert new_items_on(third, 1) == [1002, 1003]


def test_oversized_days_alternate_with_normal_days_while_reviews_keep_coming() -> None:
    lectures = track(1, [100] * 3)
    reviews = [ReviewDue(n, track_id=1, due=MONDAY + timedelta(days=n), minutes=10) for n in range(10)]

    result = plan([lectures], reviews, profile(daily_minutes=60))

    kinds = [[e.kind for e in day.entries] for day in result.days[:7]]
    assert kinds == [
        ["new"],
        ["review", "review"],
        ["new"],
        ["review", "review"],
        ["new"],
        ["review"] * 2,
        ["review"],
    ]


def test_consecutive_oversized_items_take_consecutive_days_when_nothing_else_waits() -> None:
    result = plan([track(1, [100, 100, 100])], study=profile(daily_minutes=60))

    assert [new_items_on(day, 1) for day in result.days[:3]] == [[1000], [1001], [1002]]


def test_an_oversized_review_gets_a_day_of_its_own() -> None:
    reviews = [ReviewDue(item_id=1, track_id=1, due=MONDAY, minutes=90)]

    result = plan([track(1, [10, 10])], reviews, profile(daily_minutes=60))

    assert [(e.kind, e.minutes) for e in result.days[0].entries] == [("review", 90)]
    assert new_items_on(result.days[1], 1) == [1000, 1001]


@PROPERTY_SETTINGS
@given(scenarios())
def test_each_track_keeps_to_its_pace(scenario: Scenario) -> None:
    result = scenario.build()
    paces_by_enrollment = {t.enrollment_id: t.pace for t in scenario.tracks}

    for day in result.days:
        per_track: dict[int, list[int]] = defaultdict(list)
        for entry in day.entries:
            if entry.kind == "new" and entry.enrollment_id is not None:
                per_track[entry.enrollment_id].append(entry.minutes)
        for enrollment_id, minutes in per_track.items():
            pace = paces_by_enrollment[enrollment_id]
            if pace.unit == "items":
                assert len(minutes) <= pace.per_day
            else:
                assert sum(minutes) <= pace.per_day or len(minutes) == 1, (day.date, minutes, pace)


def test_minutes_pace_always_allows_the_first_item_and_budget_goes_by_priority() -> None:
    slow = track(1, [45, 45], priority=1, pace=Pace("minutes", 20))
    quick = track(2, [10, 10, 10, 10], priority=2, pace=Pace("items", 3))

    first_day = plan([quick, slow], study=profile(daily_minutes=70)).days[0]

    assert [e.item_id for e in first_day.entries] == [1000, 2000, 2001]


def test_zero_minute_items_are_placed_without_using_the_budget() -> None:
    result = plan([track(1, [0, 0, 30, 0, 30])], study=profile(daily_minutes=30))

    assert new_items_on(result.days[0], 1) == [1000, 1001, 1002, 1003]
    assert new_items_on(result.days[1], 1) == [1004]


# --- Reviews --------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenarios())
def test_reviews_come_first_and_count_against_the_budget(scenario: Scenario) -> None:
    result = scenario.build()
    budget = scenario.study.daily_minutes
    in_order = sorted(scenario.reviews, key=lambda r: (r.due, r.item_id, r.track_id, r.minutes))
    next_review = 0

    for day in result.days:
        kinds = [e.kind for e in day.entries]
        assert kinds == sorted(kinds, key=lambda kind: kind != "review"), day  # reviews before new items
        reviews_today = [e for e in day.entries if e.kind == "review"]
        for entry in reviews_today:
            # Oldest due first, each review exactly once, never before it is due.
            expected = in_order[next_review]
            assert same_review(entry, expected), (day.date, entry, expected)
            assert entry.enrollment_id is None
            assert expected.due <= day.date
            next_review += 1
        waiting = next_review < len(in_order) and in_order[next_review].due <= day.date
        if day.is_study_day and waiting and not is_oversized_day(day, scenario.study):
            # A due review is left over only because it did not fit after the reviews placed before it.
            assert sum(e.minutes for e in reviews_today) + in_order[next_review].minutes > budget, day


def test_reviews_use_the_budget_before_new_items() -> None:
    reviews = [ReviewDue(item_id=9, track_id=10, due=MONDAY - timedelta(days=3), minutes=50)]

    result = plan([track(1, [20, 20])], reviews, profile(daily_minutes=60))

    assert [(e.kind, e.item_id) for e in result.days[0].entries] == [("review", 9)]
    assert new_items_on(result.days[1], 1) == [1000, 1001]


def test_reviews_that_do_not_fit_roll_to_the_next_study_day_oldest_first() -> None:
    reviews = [
        ReviewDue(item_id=3, track_id=1, due=MONDAY + timedelta(days=4), minutes=40),
        ReviewDue(item_id=2, track_id=1, due=MONDAY + timedelta(days=3), minutes=40),
        ReviewDue(item_id=1, track_id=1, due=MONDAY + timedelta(days=3), minutes=40),
    ]
    study = profile(daily_minutes=60, rest_weekdays=frozenset({5, 6}))

    result = plan([], reviews, study, horizon_days=8)

    placed = {day.date.weekday(): [e.item_id for e in day.entries] for day in result.days}
    assert placed[3] == [1]  # Thursday: both 40-minute reviews are due, only one fits
    assert placed[4] == [2]  # Friday: the rolled one goes first, the one due today waits
    assert placed[5] == [] and placed[6] == []
    assert result.days[7].entries[0].item_id == 3  # next Monday


# --- Calendar -------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenarios())
def test_rest_weekdays_and_vacations_get_nothing(scenario: Scenario) -> None:
    result = scenario.build()

    assert [day.date for day in result.days] == [
        scenario.today + timedelta(days=n) for n in range(scenario.horizon_days)
    ]
    for day in result.days:
        assert day.is_study_day == is_study_day(scenario.study, day.date)
        if not day.is_study_day:
            assert day.entries == ()


def test_weekend_and_vacation_are_skipped() -> None:
    vacation = (MONDAY + timedelta(days=7), MONDAY + timedelta(days=9))
    study = profile(daily_minutes=10, rest_weekdays=frozenset({5, 6}), vacations=(vacation,))

    result = plan([track(1, [10] * 8)], study=study, horizon_days=14)

    # Monday 6 to Friday 10, then the weekend and the vacation (13 to 15), then Thursday 16 and Friday 17.
    assert [day.date.day for day in result.days if day.entries] == [6, 7, 8, 9, 10, 16, 17]
    assert [day.is_study_day for day in result.days][5:10] == [False] * 5


# --- Forecasts ------------------------------------------------------------------------------------


def test_track_that_cannot_meet_its_target_reports_its_finish_date() -> None:
    late = track(1, [30] * 10, pace=Pace("minutes", 30), target_date=MONDAY + timedelta(days=5))
    on_time = track(2, [30] * 2, priority=2, pace=Pace("minutes", 30), target_date=MONDAY + timedelta(days=5))

    result = plan([late, on_time], horizon_days=3)

    forecasts = {f.enrollment_id: f for f in result.forecasts}
    # Ten 30-minute items at 30 minutes a day, past a three-day horizon: the last one lands on day ten.
    assert forecasts[1].finish_date == MONDAY + timedelta(days=9)
    assert forecasts[1].target_date == MONDAY + timedelta(days=5)
    assert forecasts[1].will_miss_target is True
    assert forecasts[2].finish_date == MONDAY + timedelta(days=1)
    assert forecasts[2].will_miss_target is False


def test_finishing_on_the_target_date_meets_it() -> None:
    exact = track(1, [60, 60, 60], pace=Pace("items", 1), target_date=MONDAY + timedelta(days=2))

    (forecast,) = plan([exact], horizon_days=1).forecasts

    assert forecast.finish_date == MONDAY + timedelta(days=2)
    assert forecast.will_miss_target is False


@PROPERTY_SETTINGS
@given(scenarios())
def test_forecasts_agree_with_the_plan_and_the_targets(scenario: Scenario) -> None:
    result = scenario.build()
    last_day = result.days[-1].date
    last_placed: dict[int, date] = {}
    count: dict[int, int] = defaultdict(int)
    for day in result.days:
        for entry in day.entries:
            if entry.kind == "new" and entry.enrollment_id is not None:
                last_placed[entry.enrollment_id] = day.date
                count[entry.enrollment_id] += 1

    expected_ids = sorted(t.enrollment_id for t in scenario.tracks)
    assert sorted(f.enrollment_id for f in result.forecasts) == expected_ids
    for forecast in result.forecasts:
        source = next(t for t in scenario.tracks if t.enrollment_id == forecast.enrollment_id)
        assert forecast.target_date == source.target_date
        if not source.items:
            assert forecast.finish_date is None and forecast.will_miss_target is False
            continue
        if count[source.enrollment_id] == len(source.items):
            assert forecast.finish_date == last_placed[source.enrollment_id]
        else:
            assert forecast.finish_date is None or forecast.finish_date > last_day
        target = source.target_date
        finish = forecast.finish_date
        assert forecast.will_miss_target == (target is not None and (finish is None or finish > target))


def test_a_track_with_no_remaining_items_has_no_finish_date_and_misses_nothing() -> None:
    result = plan([track(1, [], target_date=MONDAY - timedelta(days=1))])

    (forecast,) = result.forecasts
    assert (forecast.finish_date, forecast.will_miss_target) == (None, False)


def test_forecast_gives_up_ten_years_after_today() -> None:
    always_resting = profile(rest_weekdays=frozenset(range(7)))

    result = plan([track(1, [10], target_date=MONDAY + timedelta(days=30))], study=always_resting)

    (forecast,) = result.forecasts
    assert (forecast.finish_date, forecast.will_miss_target) == (None, True)


def test_forecast_counts_the_last_day_of_the_ten_year_cap() -> None:
    today = date(2025, 3, 3)
    start = date(2035, 3, 3)  # ten years after today, to the day

    result = plan([track(1, [10], start_date=start), track(2, [10], start_date=start + timedelta(days=1))], today=today)

    assert [f.finish_date for f in result.forecasts] == [start, None]


# --- Fast-forwarding the forecast ----------------------------------------------------------------

# Long tracks made of runs of items of equal minutes, as curricula with one estimate per item are: the
# forecast skips the days that repeat, and must end exactly where a day-by-day simulation ends.
RUNS = st.lists(st.tuples(st.sampled_from([0, 10, 15, 30, 45, 200]), st.integers(1, 300)), min_size=1, max_size=3)


@st.composite
def steady_scenarios(draw: st.DrawFn) -> Scenario:
    scenario = draw(scenarios())
    tracks = []
    for source in scenario.tracks:
        minutes = [m for m, count in draw(RUNS) for _ in range(count)]
        items = tuple(PlanItem(source.enrollment_id * 10_000 + i, m) for i, m in enumerate(minutes))
        tracks.append(dataclasses.replace(source, items=items))
    return dataclasses.replace(scenario, tracks=tracks)


@PROPERTY_SETTINGS
@given(st.one_of(scenarios(), steady_scenarios()))
def test_fast_forwarding_the_forecast_gives_the_day_by_day_plan(scenario: Scenario) -> None:
    assert scenario.build() == scenario.build(fast_forward=False)


def test_a_steady_track_is_forecast_to_its_last_item_across_rest_days_and_a_late_start() -> None:
    steady = track(1, [30] * 1000, pace=Pace("items", 3))
    late = track(2, [15] * 100, start_date=MONDAY + timedelta(days=400), priority=2)
    weekdays_only = profile(daily_minutes=120, rest_weekdays=frozenset({5, 6}))

    fast = plan([steady, late], study=weekdays_only, horizon_days=30)
    slow = build_plan(
        tracks=[steady, late], reviews=[], profile=weekdays_only, today=MONDAY, horizon_days=30, fast_forward=False
    )

    assert fast == slow
    # 1,000 items at 3 a day on 5 days a week: 334 study days, the last on a weekday.
    finish = fast.forecasts[0].finish_date
    assert finish is not None and finish.weekday() < 5
    assert sum(1 for n in range((finish - MONDAY).days + 1) if (MONDAY + timedelta(days=n)).weekday() < 5) == 334


# --- Determinism ----------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_same_inputs_give_the_same_plan(scenario: Scenario, rng: random.Random) -> None:
    shuffled_tracks = list(scenario.tracks)
    shuffled_reviews = list(scenario.reviews)
    rng.shuffle(shuffled_tracks)
    rng.shuffle(shuffled_reviews)

    first = scenario.build()
    again = scenario.build()
    reordered = build_plan(
        tracks=shuffled_tracks,
        reviews=shuffled_reviews,
        profile=scenario.study,
        today=scenario.today,
        horizon_days=scenario.horizon_days,
    )

    assert first == again == reordered


# --- Edge cases -----------------------------------------------------------------------------------


def test_no_tracks_and_no_reviews_give_empty_days() -> None:
    result = plan([], horizon_days=10)

    assert len(result.days) == 10
    assert all(day.entries == () and day.is_study_day for day in result.days)
    assert result.forecasts == ()


@pytest.mark.parametrize("horizon_days", [0, -1, 366])
def test_horizon_outside_one_to_365_days_is_refused(horizon_days: int) -> None:
    with pytest.raises(ValueError, match="horizon_days must be between 1 and 365"):
        plan([track(1, [10])], horizon_days=horizon_days)


@pytest.mark.parametrize("horizon_days", [1, 365])
def test_horizon_bounds_are_accepted(horizon_days: int) -> None:
    result = plan([track(1, [10])], horizon_days=horizon_days)

    assert len(result.days) == horizon_days
    assert result.days[-1].date == MONDAY + timedelta(days=horizon_days - 1)


def test_track_starting_in_the_future_waits_for_its_start_date() -> None:
    # It starts on a Saturday, a rest day, so its first items come on Monday.
    later = track(1, [10, 10], priority=1, start_date=MONDAY + timedelta(days=5))
    now = track(2, [10] * 20, priority=2, pace=Pace("items", 1))
    study = profile(parallel_limit=1, rest_weekdays=frozenset({5, 6}))

    result = plan([later, now], study=study, horizon_days=10)

    assert [day.date for day in result.days if new_items_on(day, 1)] == [MONDAY + timedelta(days=7)]
    # The higher-priority track takes the only slot back on its first study day.
    assert new_items_on(result.days[4], 2) == [2004]
    assert new_items_on(result.days[7], 2) == []
    assert new_items_on(result.days[8], 2) == [2005]


def test_an_enrollment_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="Enrollment 1 was given twice"):
        plan([track(1, [10]), track(1, [20])])


@pytest.mark.parametrize(
    "make",
    [
        lambda: Pace("minutes", 0),
        lambda: Pace("hours", 1),  # type: ignore[arg-type]
        lambda: PlanItem(1, -1),
        lambda: ReviewDue(1, 1, MONDAY, -5),
        lambda: profile(parallel_limit=0),
        lambda: profile(daily_minutes=0),
        lambda: profile(rest_weekdays=frozenset({7})),
        lambda: profile(vacations=((MONDAY, MONDAY - timedelta(days=1)),)),
    ],
)
def test_invalid_inputs_are_refused_where_they_are_built(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()
