"""Inputs and outputs of the study-plan scheduler.

Plain frozen dataclasses, so the scheduler stays a pure function that neither Django nor the database
reaches: services load rows, turn them into these values and store the returned plan.
Inputs check their own invariants on construction, so a bad value fails where it is built, with a message
naming the field, rather than deep inside the simulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

PaceUnit = Literal["minutes", "items"]
EntryKind = Literal["review", "new"]

_PACE_UNITS: frozenset[str] = frozenset({"minutes", "items"})


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One remaining item of a track: its id and how many minutes it takes (0 or more)."""

    item_id: int
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 0:
            raise ValueError(f"PlanItem {self.item_id}: minutes must be 0 or more, got {self.minutes}.")


@dataclass(frozen=True, slots=True)
class Pace:
    """How much of a track the learner wants per study day: up to `per_day` minutes or items."""

    unit: PaceUnit
    per_day: int

    def __post_init__(self) -> None:
        if self.unit not in _PACE_UNITS:
            raise ValueError(f"Pace unit must be 'minutes' or 'items', got {self.unit!r}.")
        if self.per_day < 1:
            raise ValueError(f"Pace per_day must be 1 or more, got {self.per_day}.")


@dataclass(frozen=True, slots=True)
class TrackInput:
    """An active enrollment: its remaining items in study order and how it wants to be paced.

    A lower `priority` number is more important; ties are broken by `enrollment_id`.
    """

    enrollment_id: int
    track_id: int
    priority: int
    pace: Pace
    start_date: date
    target_date: date | None
    items: tuple[PlanItem, ...]


@dataclass(frozen=True, slots=True)
class ReviewDue:
    """A spaced-repetition review of an item, due on `due` (or overdue when `due` is in the past)."""

    item_id: int
    track_id: int
    due: date
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 0:
            raise ValueError(f"Review of item {self.item_id}: minutes must be 0 or more, got {self.minutes}.")


@dataclass(frozen=True, slots=True)
class PracticeDue:
    """Practice outside the tracks (a problem re-solve, ...) due on `due`: it takes `minutes` of that day's budget
    (or of the first study day after it), and is not an entry of the plan."""

    due: date
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 0:
            raise ValueError(f"Practice due {self.due.isoformat()}: minutes must be 0 or more, got {self.minutes}.")


@dataclass(frozen=True, slots=True)
class StudyProfileInput:
    """The learner's study habits.

    `rest_weekdays` uses Monday=0 .. Sunday=6; `vacations` are inclusive (first, last) date ranges and may
    overlap.
    """

    parallel_limit: int
    daily_minutes: int
    rest_weekdays: frozenset[int]
    vacations: tuple[tuple[date, date], ...]

    def __post_init__(self) -> None:
        if self.parallel_limit < 1:
            raise ValueError(f"parallel_limit must be 1 or more, got {self.parallel_limit}.")
        if self.daily_minutes < 1:
            raise ValueError(f"daily_minutes must be 1 or more, got {self.daily_minutes}.")
        bad_days = sorted(day for day in self.rest_weekdays if not 0 <= day <= 6)
        if bad_days:
            raise ValueError(f"rest_weekdays must be 0 (Monday) to 6 (Sunday), got {bad_days}.")
        for first, last in self.vacations:
            if first > last:
                raise ValueError(f"Vacation {first.isoformat()}..{last.isoformat()} ends before it starts.")


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One thing to study on a day. Reviews have no enrollment: they belong to an item, not a pace."""

    item_id: int
    track_id: int
    enrollment_id: int | None
    minutes: int
    kind: EntryKind


@dataclass(frozen=True, slots=True)
class PlanDay:
    """A calendar day of the plan; rest and vacation days are present with no entries."""

    date: date
    entries: tuple[PlanEntry, ...]
    is_study_day: bool


@dataclass(frozen=True, slots=True)
class TrackForecast:
    """When an enrollment is expected to finish, and whether that is after its target date."""

    enrollment_id: int
    finish_date: date | None
    target_date: date | None
    will_miss_target: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """The scheduler's answer: one `PlanDay` per day of the horizon and one forecast per enrollment."""

    days: tuple[PlanDay, ...]
    forecasts: tuple[TrackForecast, ...]
