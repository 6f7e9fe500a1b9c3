"""Lays a stretch of the plan out as lanes, one per parallel slot, for the week and month views.

The planner runs at most N tracks at once; a lane shows one slot over time. A track takes the lowest
lane that is free on its first day in the range; when a track finishes, the next one can take its lane
(on the day of the hand-over both show in it). Reviews get a row of their own. Presentation only: the
plan itself comes from `tracker.selectors.plan_between`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracker.models import PlanEntry, Track

PALETTE_SIZE = 8


@dataclass
class Cell:
    day: dt.date
    entries: list[PlanEntry] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.entries)


@dataclass
class Lane:
    number: int  # 1-based, as learners count
    cells: list[Cell]
    tracks: list[Track] = field(default_factory=list)

    @property
    def is_free(self) -> bool:
        return not self.tracks


@dataclass
class DayTotal:
    day: dt.date
    minutes: int
    entries: int
    is_today: bool
    by_track: list[tuple[Track, int, int]]  # track, colour index, entries


@dataclass
class PlanLayout:
    days: list[dt.date]
    lanes: list[Lane]
    reviews: list[Cell]
    colours: dict[int, int]  # track id -> palette index
    totals: list[DayTotal]

    @property
    def has_reviews(self) -> bool:
        return any(cell.entries for cell in self.reviews)

    @property
    def columns(self) -> list[tuple[DayTotal, list[tuple[Lane, Cell]], Cell]]:
        """Day by day: the day's total, each lane's cell that day, the day's reviews."""
        return [
            (total, [(lane, lane.cells[n]) for lane in self.lanes], self.reviews[n])
            for n, total in enumerate(self.totals)
        ]

    @property
    def legend(self) -> list[tuple[Track, int]]:
        seen: dict[int, tuple[Track, int]] = {}
        for lane in self.lanes:
            for track in lane.tracks:
                seen.setdefault(track.pk, (track, self.colours[track.pk]))
        return list(seen.values())


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def lay_out(entries: Iterable[PlanEntry], *, start: dt.date, end: dt.date, slots: int, today: dt.date) -> PlanLayout:
    """Entries (with item and item.track loaded) from `start` to `end` as at least `slots` lanes."""
    days = days_between(start, end)
    index = {day: n for n, day in enumerate(days)}
    new: list[PlanEntry] = []
    reviews = [Cell(day) for day in days]
    for entry in entries:
        if entry.date not in index:
            continue
        if entry.kind == PlanEntry.Kind.REVIEW:
            reviews[index[entry.date]].entries.append(entry)
        else:
            new.append(entry)

    # Each track's first and last day in the range, and its priority for ties.
    spans: dict[int, tuple[dt.date, dt.date, int, Track]] = {}
    for entry in new:
        track = entry.item.track
        priority = entry.enrollment.priority if entry.enrollment_id and entry.enrollment else 10_000
        first, last, best, _track = spans.get(track.pk, (entry.date, entry.date, priority, track))
        spans[track.pk] = (min(first, entry.date), max(last, entry.date), min(best, priority), track)

    lane_ends: list[dt.date] = []
    lane_of: dict[int, int] = {}
    for track_id, (first, last, _priority, _track) in sorted(spans.items(), key=lambda kv: (kv[1][0], kv[1][2])):
        free = [n for n, ends in enumerate(lane_ends) if ends < first]
        handover = [n for n, ends in enumerate(lane_ends) if ends == first]
        if free or handover:
            lane = (free or handover)[0]
            lane_ends[lane] = last
        else:
            lane = len(lane_ends)
            lane_ends.append(last)
        lane_of[track_id] = lane

    lanes = [Lane(number=n + 1, cells=[Cell(day) for day in days]) for n in range(max(slots, len(lane_ends)))]
    colours: dict[int, int] = {}
    for track_id, (_first, _last, _priority, track) in sorted(spans.items(), key=lambda kv: (kv[1][0], kv[1][2])):
        colours[track_id] = len(colours) % PALETTE_SIZE
        lanes[lane_of[track_id]].tracks.append(track)
    for entry in new:
        # For the template only: not a field nor an annotation, so the model's type does not know it.
        entry.colour = colours[entry.item.track.pk]  # type: ignore[attr-defined]
        lanes[lane_of[entry.item.track.pk]].cells[index[entry.date]].entries.append(entry)

    totals = []
    for n, day in enumerate(days):
        counts: dict[int, int] = {}
        minutes = reviews[n].minutes
        for row in lanes:
            minutes += row.cells[n].minutes
            for entry in row.cells[n].entries:
                counts[entry.item.track.pk] = counts.get(entry.item.track.pk, 0) + 1
        by_track = [(spans[tid][3], colours[tid], count) for tid, count in counts.items()]
        total_entries = sum(counts.values()) + len(reviews[n].entries)
        totals.append(DayTotal(day, minutes, total_entries, day == today, by_track))
    return PlanLayout(days=days, lanes=lanes, reviews=reviews, colours=colours, totals=totals)


def month_weeks(totals: Sequence[DayTotal]) -> list[list[DayTotal | None]]:
    """Day totals of a month as calendar weeks (Monday first), padded with None."""
    if not totals:
        return []
    padded: list[DayTotal | None] = [None] * totals[0].day.weekday() + list(totals)
    padded += [None] * (-len(padded) % 7)
    return [padded[n : n + 7] for n in range(0, len(padded), 7)]
