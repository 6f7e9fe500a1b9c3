"""Time `build_plan` on a heavy learner: 5 tracks of 2,000 items over a 365-day horizon, then 2x and 4x.

Run with `python bench/bench_scheduler.py` (no Django needed). The goal is 100 ms at 1x; the larger sizes
check that the time grows linearly, so their goal is 100 ms times the size. Each size is timed several
times and the best run is kept, which filters out noise from the rest of the machine.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ on the path, not the repository root that holds `tracker`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.planning.scheduler import (
    Pace,
    PlanItem,
    ReviewDue,
    StudyProfileInput,
    TrackInput,
    build_plan,
)

TODAY = date(2025, 1, 6)
TRACKS = 5
BASE_ITEMS_PER_TRACK = 2_000
HORIZON_DAYS = 365
GOAL_MS_AT_1X = 100.0
SCALES = (1, 2, 4)
RUNS = 7

# Budget and paces are sized so that even at 4x every track finishes inside the ten-year forecast cap:
# the simulation then really places every item, and the time measured grows with the input.
DAILY_MINUTES = 480
PACES = (Pace("minutes", 180), Pace("items", 8), Pace("minutes", 150), Pace("items", 6), Pace("minutes", 120))


def make_inputs(items_per_track: int) -> tuple[list[TrackInput], list[ReviewDue], StudyProfileInput]:
    """A fixed, seeded workload: mixed paces and priorities, reviews, a rest weekday and a vacation."""
    rng = random.Random(items_per_track)
    tracks = [
        TrackInput(
            enrollment_id=n + 1,
            track_id=100 + n,
            priority=n % 3,
            pace=PACES[n % len(PACES)],
            start_date=TODAY + timedelta(days=10 * n),
            target_date=TODAY + timedelta(days=300),
            items=tuple(PlanItem(n * 100_000 + i, rng.randint(5, 40)) for i in range(items_per_track)),
        )
        for n in range(TRACKS)
    ]
    reviews = [
        ReviewDue(
            item_id=rng.randint(1, 100_000),
            track_id=100 + rng.randrange(TRACKS),
            due=TODAY + timedelta(days=rng.randint(-7, HORIZON_DAYS)),
            minutes=rng.randint(2, 10),
        )
        for _ in range(TRACKS * items_per_track // 10)
    ]
    profile = StudyProfileInput(
        parallel_limit=3,
        daily_minutes=DAILY_MINUTES,
        rest_weekdays=frozenset({6}),
        vacations=((TODAY + timedelta(days=120), TODAY + timedelta(days=133)),),
    )
    return tracks, reviews, profile


def time_size(scale: int) -> dict[str, Any]:
    """Best-of-`RUNS` wall time of one `build_plan` call at `scale` times the base size."""
    items_per_track = BASE_ITEMS_PER_TRACK * scale
    tracks, reviews, profile = make_inputs(items_per_track)
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        build_plan(tracks=tracks, reviews=reviews, profile=profile, today=TODAY, horizon_days=HORIZON_DAYS)
        best = min(best, time.perf_counter() - started)
    best_ms = best * 1000
    items = TRACKS * items_per_track
    goal_ms = GOAL_MS_AT_1X * scale
    return {
        "size": f"{scale}x",
        "tracks": TRACKS,
        "items": items,
        "reviews": len(reviews),
        "days": HORIZON_DAYS,
        "best_ms": round(best_ms, 2),
        "ms_per_1k_items": round(best_ms / (items / 1000), 3),
        "goal_ms": goal_ms,
        "result": "PASS" if best_ms <= goal_ms else "MISS",
    }


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| size | items | days | best ms | ms per 1k items | goal | result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        goal = f"≤ {row['goal_ms']:.0f} ms" + ("" if row["size"] == "1x" else " (linear)")
        lines.append(
            f"| {row['size']} | {row['items']:,} | {row['days']} | {row['best_ms']:.1f} "
            f"| {row['ms_per_1k_items']:.2f} | {goal} | {row['result']} |"
        )
    return "\n".join(lines)


def main() -> list[dict[str, Any]]:
    """Time every size and return the rows; bench/run.py prints them as a table."""
    return [time_size(scale) for scale in SCALES]


if __name__ == "__main__":
    print(
        f"build_plan: {TRACKS} tracks, horizon {HORIZON_DAYS} days, one review per ten items, "
        f"best of {RUNS} runs (forecast simulated to the end of every track)\n"
    )
    print(markdown_table(main()))
