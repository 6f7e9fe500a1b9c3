"""Re-planning one learner with database writes: 5 tracks × 2,000 items, a 90- and a 365-day horizon,
on SQLite and (when BENCH_POSTGRES_URL or CI's PostgreSQL answers) on PostgreSQL.

Each re-plan is timed BENCH_REPLAN_REPEATS times (5) from the same stored plan, best and median shown:
the first plan of a learner, a second one the same day (the request's fallback after the job ran), and
the nightly one after a day done or a day missed (every entry moves). The nightly job's time for 10,000
learners is extrapolated from the measured time per learner (one core, 90-day plans): the "next day"
re-plan alone, and the real dispatcher and batch service run over a few learners.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/brainqueue_bench")


def _postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


REPEATS = int(os.environ.get("BENCH_REPLAN_REPEATS", "5"))
# The goals for one learner's re-plan with writes, by horizon (ms).
GOALS = {90: 25, 365: 100}
JOB_LEARNERS = 20  # learners the nightly job's row re-plans through the real dispatcher and batch task
NIGHTLY_LEARNERS = 10_000


def _measure() -> list[dict[str, object]]:
    """Runs in a child process whose DATABASE_URL is already set."""
    import statistics

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.models import Enrollment, Item, PlanEntry, Progress, StudyProfile, Track, User
    from tracker.services import replanning
    from tracker.services.planning import plan_rebuild

    call_command("migrate", verbosity=0)
    User.objects.filter(username__startswith="bench").delete()
    Track.objects.filter(slug__startswith="bench-").delete()
    start = dt.date(2026, 1, 5)
    tracks = []
    for n in range(5):
        track = Track.objects.create(slug=f"bench-{n}", kind="course", title=f"B{n}", title_en=f"B{n}")
        Item.objects.bulk_create(
            Item(track=track, key=f"i{i}", position=i, kind="section", title="x", title_en="x", estimated_minutes=30)
            for i in range(2000)
        )
        tracks.append(track)

    def learner(name: str) -> User:
        user = User.objects.create_user(username=name, password="x")  # noqa: S106
        StudyProfile.objects.create(user=user, parallel_limit=5, daily_minutes=300, time_zone="UTC")
        for n, track in enumerate(tracks):
            Enrollment.objects.create(user=user, track=track, priority=n + 1, pace_per_day=60, start_date=start)
        return user

    def reset(user: User) -> None:
        PlanEntry.objects.filter(user=user).delete()
        Progress.objects.filter(user=user).delete()

    def yesterday_done(user: User, day: dt.date) -> None:
        """The learner did the day's items: their entries and progress say so."""
        entries = PlanEntry.objects.filter(user=user, date=day)
        done_at = dt.datetime.combine(day, dt.time(20), tzinfo=dt.UTC)
        Progress.objects.bulk_create(
            Progress(user=user, item_id=item_id, status="done", done_at=done_at)
            for item_id in entries.values_list("item_id", flat=True)
        )
        entries.update(status="done")

    # scenario → (prepare the stored plan, the day the timed re-plan is for)
    def first(user: User, horizon: int) -> dt.date:
        reset(user)
        return start

    def same_day(user: User, horizon: int) -> dt.date:
        reset(user)
        plan_rebuild(user=user, today=start, horizon_days=horizon)
        return start

    def next_day_done(user: User, horizon: int) -> dt.date:
        same_day(user, horizon)
        yesterday_done(user, start)
        return start + dt.timedelta(days=1)

    def next_day_missed(user: User, horizon: int) -> dt.date:
        same_day(user, horizon)
        return start + dt.timedelta(days=1)

    scenarios = {
        "first plan (nothing stored)": first,
        "same day, nothing changed": same_day,
        "next day, yesterday's items done": next_day_done,
        "next day, yesterday missed (all move)": next_day_missed,
    }
    user = learner("bench")
    rows: list[dict[str, object]] = []
    for horizon in (90, 365):
        for scenario, prepare in scenarios.items():
            times, writes = [], ""
            for _ in range(REPEATS):
                today = prepare(user, horizon)
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    result = plan_rebuild(user=user, today=today, horizon_days=horizon)
                    times.append(time.perf_counter() - began)
                statements = sum(q["sql"].split(None, 1)[0] in {"INSERT", "UPDATE", "DELETE"} for q in queries)
                writes = (
                    f"+{result.entries_created} ~{result.entries_updated + result.missed_marked} "
                    f"-{result.entries_deleted} ({statements} statements)"
                )
            best, median = min(times) * 1000, statistics.median(times) * 1000
            rows.append(
                {
                    "database": connection.vendor,
                    "horizon days": horizon,
                    "re-plan": scenario,
                    "rows written (+new ~changed -deleted)": writes,
                    "best ms": f"{best:.0f}",
                    "median ms": f"{median:.0f}",
                    "goal ms": GOALS[horizon],
                    "10,000 learners, one core": "",
                }
            )

    # The nightly job itself: JOB_LEARNERS learners whose day turned (yesterday's items done), claimed by
    # the dispatcher and re-planned by the batch task's service, as a worker runs them.
    job_users = [learner(f"bench-job-{n}") for n in range(JOB_LEARNERS)]
    for job_user in job_users:
        next_day_done(job_user, 90)
    StudyProfile.objects.filter(user__in=job_users).update(replan_due_at=None)
    batches: list[list[int]] = []
    replanning._enqueue_batch = batches.append  # type: ignore[assignment]  # run the batches here
    now = dt.datetime.combine(start + dt.timedelta(days=1), dt.time(0, 1), tzinfo=dt.UTC)
    began = time.perf_counter()
    replanning.replans_dispatch(now=now)
    replanned = sum(replanning.replans_run(user_ids=batch, now=now) for batch in batches)
    per_learner = (time.perf_counter() - began) / JOB_LEARNERS
    assert replanned == JOB_LEARNERS, replanned  # noqa: S101
    rows.append(
        {
            "database": connection.vendor,
            "horizon days": 90,
            "re-plan": f"nightly job: dispatch + batches, {JOB_LEARNERS} learners (per learner)",
            "rows written (+new ~changed -deleted)": "",
            "best ms": f"{per_learner * 1000:.0f}",
            "median ms": "",
            "goal ms": GOALS[90],
            "10,000 learners, one core": f"{per_learner * NIGHTLY_LEARNERS / 60:.1f} min (extrapolated)",
        }
    )
    for row in rows:
        if row["re-plan"] == "next day, yesterday's items done":
            row["10,000 learners, one core"] = (
                f"{float(str(row['best ms'])) * NIGHTLY_LEARNERS / 60_000:.1f} min (extrapolated)"
            )
    return rows


def _run_in_child(database_url: str) -> list[dict[str, object]]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    code = "import json, bench_replan as b; print(json.dumps(b._measure()))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import json

    return list(json.loads(out.strip().splitlines()[-1]))


def main() -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _run_in_child(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
    if _postgres_answers():
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", POSTGRES_URL.rsplit("/", 1)[1]],
            capture_output=True,
            check=False,
        )
        rows += _run_in_child(POSTGRES_URL)
    return rows
