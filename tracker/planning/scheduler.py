"""Build a learner's day-by-day study plan from their active enrollments and due reviews.

`build_plan` is a pure, deterministic function: no database, no clock (the caller passes `today`), and the
order of the input sequences does not matter (tracks are sorted by priority then enrollment id, reviews by
due date then item id).

Rules, in the order they are applied to each calendar day from `today` on:

1. Rest weekdays and vacation days are not study days: nothing is placed on them, reviews and new items
   wait for the next study day. They still appear in the plan, with no entries and `is_study_day` False.
2. Slots. At the start of every study day the first `parallel_limit` tracks by (priority, enrollment_id)
   among those that still have items and whose `start_date` is on or before the day are "slotted"; only
   they may get new items that day. Slots are recomputed every study day, so a track that finishes frees
   its slot from the next study day on, and a higher-priority track that starts later takes its slot back
   from its first study day.
3. Oversized items. An item longer than `daily_minutes` is placed on a day of its own. At the start of a
   study day, if a slotted track's next item is oversized, the day becomes an "oversized day" and the
   highest-priority such track places that one item and nothing else (not even due reviews) -- unless the
   previous study day was already an oversized day and other work is waiting (a due review, or a slotted
   track whose next item fits the budget). So oversized days and normal days alternate while both kinds of
   work wait: neither reviews, other tracks nor the oversized item wait more than one study day for each
   other. On a normal day an oversized item is never placed; its track gets nothing that day.
4. Reviews. On a normal study day, reviews due on or before the day are placed first, oldest due first
   (ties by item id), and count against the budget. They are strictly first in, first out: at the first
   review that does not fit the remaining budget, reviews stop for the day and that review and the later
   ones roll to the next study day. A review longer than the whole budget is placed alone on a day on which
   it is the first review in line (reviews come first, so that is its next study day at the latest).
4b. Practice. Practice outside the tracks (problem re-solves due, given as `practice`) takes its minutes off
   the budget of the first study day on or after it is due, before reviews and new items, and is not an entry
   of the plan. A day whose budget practice takes whole gets no reviews and no new items.
5. New items. The budget left after reviews is given out in priority order among the slotted tracks. Each
   track takes its items in study order (never reordered, never split, never skipped) while the next item
   fits the remaining budget and the track's pace allows it: for an "items" pace at most `per_day` items;
   for a "minutes" pace the sum of its minutes today at most `per_day`, except that the track's first item
   of the day is always allowed by the pace (so a track whose items are longer than its pace still moves).
   When a track stops, the next slotted track gets what is left.
6. Budget. The minutes of a day never exceed `daily_minutes`, except on a day whose only entry is one
   oversized item or review (rules 3 and 4).
7. Forecasts. The simulation goes on past the horizon (emitting no days) until every track has placed its
   last item or ten years after `today` have passed. `finish_date` is the day a track's last item is
   placed, or None when that is beyond the ten-year cap. A track with no remaining items has nothing to
   finish: its `finish_date` is None and it never misses its target. Otherwise `will_miss_target` is true
   when there is a target date and the track does not finish by it (finish_date None or after the target).
   Forecasts are returned in priority order.

The simulation costs time linear in the number of days simulated, the number of tracks and the number of
items and reviews placed: each track keeps an index of its next item, reviews are one sorted list with a
cursor, and vacations are merged ranges walked with a cursor, so no day scans all items.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from tracker.planning.types import (
    Pace,
    Plan,
    PlanDay,
    PlanEntry,
    PlanItem,
    PracticeDue,
    ReviewDue,
    StudyProfileInput,
    TrackForecast,
    TrackInput,
)

__all__ = [
    "FORECAST_CAP_YEARS",
    "MAX_HORIZON_DAYS",
    "Pace",
    "Plan",
    "PlanDay",
    "PlanEntry",
    "PlanItem",
    "PracticeDue",
    "ReviewDue",
    "StudyProfileInput",
    "TrackForecast",
    "TrackInput",
    "build_plan",
]

MAX_HORIZON_DAYS = 365
FORECAST_CAP_YEARS = 10


class _TrackState:
    """Where one track stands in the simulation: the index of its next item and when it finished."""

    __slots__ = ("finish_date", "items", "next_index", "track")

    def __init__(self, track: TrackInput) -> None:
        self.track = track
        self.items = track.items
        self.next_index = 0
        self.finish_date: date | None = None

    @property
    def has_work(self) -> bool:
        return self.next_index < len(self.items)

    def run_end(self, start: int) -> int:
        """The index of the first item after `start` whose minutes differ from `start`'s (or the end)."""
        items = self.items
        minutes = items[start].minutes
        end = start + 1
        while end < len(items) and items[end].minutes == minutes:
            end += 1
        return end


class _Calendar:
    """Answers "is this a study day?" for days asked in increasing order, in O(1) amortised per day."""

    __slots__ = ("_cursor", "_rest_weekdays", "_vacations")

    def __init__(self, profile: StudyProfileInput) -> None:
        self._rest_weekdays = profile.rest_weekdays
        self._vacations = _merge_ranges(profile.vacations)
        self._cursor = 0

    def is_study_day(self, day: date) -> bool:
        if day.weekday() in self._rest_weekdays:
            return False
        # Days only move forward, so ranges that ended before `day` can never matter again.
        while self._cursor < len(self._vacations) and self._vacations[self._cursor][1] < day:
            self._cursor += 1
        return not (self._cursor < len(self._vacations) and self._vacations[self._cursor][0] <= day)


def _merge_ranges(ranges: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


class _Simulation:
    """Day-by-day state of the plan; `run_day` applies the module's rules to one study day."""

    __slots__ = (
        "_daily_minutes",
        "_last_day_oversized",
        "_oversized_waited",
        "_parallel_limit",
        "_practice",
        "_practice_cursor",
        "_review_cursor",
        "_reviews",
        "active",
        "states",
    )

    def __init__(
        self,
        tracks: Sequence[TrackInput],
        reviews: Sequence[ReviewDue],
        profile: StudyProfileInput,
        practice: Sequence[PracticeDue] = (),
    ) -> None:
        ordered = sorted(tracks, key=lambda track: (track.priority, track.enrollment_id))
        self.states = [_TrackState(track) for track in ordered]
        self.active = [state for state in self.states if state.has_work]
        # The full key makes the order total, so equal reviews given in any order give the same plan.
        self._reviews = sorted(
            reviews, key=lambda review: (review.due, review.item_id, review.track_id, review.minutes)
        )
        self._review_cursor = 0
        self._practice = sorted(practice, key=lambda p: (p.due, p.minutes))
        self._practice_cursor = 0
        self._parallel_limit = profile.parallel_limit
        self._daily_minutes = profile.daily_minutes
        self._last_day_oversized = False
        self._oversized_waited = False  # the last day was normal although an oversized item was waiting

    def run_day(self, day: date, entries: list[PlanEntry] | None) -> None:
        """Place one study day's work; append entries to `entries` unless it is None (forecast only)."""
        slotted: list[_TrackState] = []
        for state in self.active:
            if state.track.start_date <= day:
                slotted.append(state)
                if len(slotted) == self._parallel_limit:
                    break

        practice = self._take_practice(day)
        if self._take_oversized_day(day, slotted, entries):
            return
        if practice >= self._daily_minutes:
            return

        budget = self._place_reviews(day, self._daily_minutes - practice, entries)
        if budget is None:
            return

        finished = False
        for state in slotted:
            budget = self._place_new_items(day, state, budget, entries)
            finished = finished or not state.has_work
        if finished:
            self.active = [state for state in self.active if state.has_work]

    def _take_practice(self, day: date) -> int:
        """The minutes of practice due on or before `day` not yet taken by an earlier study day."""
        practice = self._practice
        cursor = self._practice_cursor
        minutes = 0
        while cursor < len(practice) and practice[cursor].due <= day:
            minutes += practice[cursor].minutes
            cursor += 1
        self._practice_cursor = cursor
        return minutes

    def run_forecast_day(self, day: date, calendar: _Calendar, cap: date) -> date:
        """Forecast the study day `day`, then skip every following study day that would repeat it exactly;
        return the last day done (the caller goes on from the day after).

        Past the horizon nothing is emitted, and a long track at a steady pace fills day after day the same
        way: years of days for a big curriculum, the bulk of a re-plan's time. A day repeats when it was a
        normal day (not an oversized one, and no oversized item waiting for its turn) without reviews or practice, no
        track finished on it, and the next days meet
        the same things: no review or practice falls due and no track starts (either may change the slots
        or the budget), and every track that placed items goes on with items of the same minutes, including the
        item that stopped it, so it stops at the same place each day. Then each track places as many items
        on every skipped day as it did on `day`, and no track finishes during the skip.
        """
        before = [(state, state.next_index) for state in self.active]
        review_cursor, practice_cursor = self._review_cursor, self._practice_cursor
        self.run_day(day, None)
        if self._last_day_oversized or self._oversized_waited or self._review_cursor != review_cursor:
            return day
        if self._practice_cursor != practice_cursor:  # practice took part of this day's budget
            return day
        if any(not state.has_work for state, _ in before):
            return day
        one_day = timedelta(days=1)
        limit = cap
        if self._review_cursor < len(self._reviews):
            limit = min(limit, self._reviews[self._review_cursor].due - one_day)
        if self._practice_cursor < len(self._practice):
            limit = min(limit, self._practice[self._practice_cursor].due - one_day)
        for state in self.active:
            if state.track.start_date > day:
                limit = min(limit, state.track.start_date - one_day)
        placed = [(state, state.next_index - start) for state, start in before if state.next_index != start]
        repeats: int | None = None  # None: nothing was placed, so nothing changes until `limit`
        for state, count in placed:
            left_in_run = state.run_end(state.next_index - count) - state.next_index
            # On the last repeated day the track must still stop at an item of the same minutes.
            most = max(0, (left_in_run - 1) // count)
            repeats = most if repeats is None else min(repeats, most)
        if repeats == 0:
            return day
        skipped = 0
        while day + one_day <= limit and (repeats is None or skipped < repeats):
            day += one_day
            if calendar.is_study_day(day):
                skipped += 1
        for state, count in placed:
            state.next_index += skipped * count
        return day

    def _take_oversized_day(self, day: date, slotted: list[_TrackState], entries: list[PlanEntry] | None) -> bool:
        daily = self._daily_minutes
        candidate = next((s for s in slotted if s.items[s.next_index].minutes > daily), None)
        self._oversized_waited = False
        if candidate is None:
            self._last_day_oversized = False
            return False
        if not self._last_day_oversized or not self._other_work_waits(day, slotted):
            self._place(day, candidate, entries)
            if not candidate.has_work:
                self.active.remove(candidate)
            self._last_day_oversized = True
            return True
        self._last_day_oversized = False
        self._oversized_waited = True
        return False

    def _other_work_waits(self, day: date, slotted: list[_TrackState]) -> bool:
        reviews = self._reviews
        if self._review_cursor < len(reviews) and reviews[self._review_cursor].due <= day:
            return True
        daily = self._daily_minutes
        return any(s.items[s.next_index].minutes <= daily for s in slotted)

    def _place_reviews(self, day: date, budget: int, entries: list[PlanEntry] | None) -> int | None:
        """Place due reviews first in, first out; return the budget left, or None if the day is full."""
        reviews = self._reviews
        cursor = self._review_cursor
        placed_any = False
        while cursor < len(reviews) and reviews[cursor].due <= day:
            review = reviews[cursor]
            if review.minutes > budget and placed_any:
                break
            cursor += 1
            if entries is not None:
                entries.append(PlanEntry(review.item_id, review.track_id, None, review.minutes, "review"))
            if review.minutes > budget:
                # Longer than the whole budget and first in line: it gets the day to itself.
                self._review_cursor = cursor
                return None
            budget -= review.minutes
            placed_any = True
        self._review_cursor = cursor
        return budget

    def _place_new_items(self, day: date, state: _TrackState, budget: int, entries: list[PlanEntry] | None) -> int:
        """Give `state` its pace's worth of items within `budget`; return the budget left."""
        items = state.items
        pace = state.track.pace
        by_items = pace.unit == "items"
        per_day = pace.per_day
        count = 0
        taken = 0
        while state.next_index < len(items):
            minutes = items[state.next_index].minutes
            if minutes > budget:
                break
            if by_items:
                if count >= per_day:
                    break
            elif count > 0 and taken + minutes > per_day:
                break
            self._place(day, state, entries)
            budget -= minutes
            taken += minutes
            count += 1
        return budget

    @staticmethod
    def _place(day: date, state: _TrackState, entries: list[PlanEntry] | None) -> None:
        item = state.items[state.next_index]
        state.next_index += 1
        if entries is not None:
            track = state.track
            entries.append(PlanEntry(item.item_id, track.track_id, track.enrollment_id, item.minutes, "new"))
        if state.next_index == len(state.items):
            state.finish_date = day


def _forecast_cap(today: date) -> date:
    try:
        return today.replace(year=today.year + FORECAST_CAP_YEARS)
    except ValueError:  # 29 February in a year whose tenth successor is not a leap year
        return today.replace(year=today.year + FORECAST_CAP_YEARS, day=28)


def _check_enrollments_are_unique(tracks: Sequence[TrackInput]) -> None:
    seen: set[int] = set()
    for track in tracks:
        if track.enrollment_id in seen:
            raise ValueError(f"Enrollment {track.enrollment_id} was given twice; pass each active enrollment once.")
        seen.add(track.enrollment_id)


def build_plan(
    *,
    tracks: Sequence[TrackInput],
    reviews: Sequence[ReviewDue],
    profile: StudyProfileInput,
    today: date,
    horizon_days: int = 90,
    practice: Sequence[PracticeDue] = (),
    fast_forward: bool = True,
) -> Plan:
    """Plan `horizon_days` calendar days from `today` (inclusive) and forecast every track's finish.

    See the module docstring for the rules. Raises ValueError when `horizon_days` is not 1..365 or an
    enrollment is given twice. `fast_forward=False` forecasts day by day; it gives the same plan, slower,
    and exists so that tests can check that it does.
    """
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise ValueError(
            f"horizon_days must be between 1 and {MAX_HORIZON_DAYS} days, got {horizon_days}; "
            "plan a shorter period and ask again later for the rest."
        )
    _check_enrollments_are_unique(tracks)

    simulation = _Simulation(tracks, reviews, profile, practice)
    calendar = _Calendar(profile)
    one_day = timedelta(days=1)

    days: list[PlanDay] = []
    day = today
    for _ in range(horizon_days):
        if calendar.is_study_day(day):
            entries: list[PlanEntry] = []
            simulation.run_day(day, entries)
            days.append(PlanDay(day, tuple(entries), True))
        else:
            days.append(PlanDay(day, (), False))
        day += one_day

    cap = _forecast_cap(today)
    while simulation.active and day <= cap:
        if calendar.is_study_day(day):
            day = simulation.run_forecast_day(day, calendar, cap) if fast_forward else _run(simulation, day)
        day += one_day

    forecasts = tuple(_forecast(state) for state in simulation.states)
    return Plan(days=tuple(days), forecasts=forecasts)


def _run(simulation: _Simulation, day: date) -> date:
    simulation.run_day(day, None)
    return day


def _forecast(state: _TrackState) -> TrackForecast:
    track = state.track
    if not track.items:
        return TrackForecast(track.enrollment_id, None, track.target_date, False)
    finish = state.finish_date
    target = track.target_date
    will_miss = target is not None and (finish is None or finish > target)
    return TrackForecast(track.enrollment_id, finish, target, will_miss)
