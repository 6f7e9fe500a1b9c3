"""Re-planning one learner with database writes: 5 tracks × 2,000 items, a 90- and a 365-day horizon,
on SQLite and (when BENCH_POSTGRES_URL or CI's PostgreSQL answers) on PostgreSQL."""

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


def _measure() -> list[dict[str, object]]:
    """Runs in a child process whose DATABASE_URL is already set."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tracker.models import Enrollment, Item, PlanEntry, StudyProfile, Track, User
    from tracker.services.planning import plan_rebuild

    call_command("migrate", verbosity=0)
    User.objects.filter(username="bench").delete()
    Track.objects.filter(slug__startswith="bench-").delete()
    user = User.objects.create_user(username="bench", password="x")  # noqa: S106
    StudyProfile.objects.create(user=user, parallel_limit=5, daily_minutes=300)
    start = dt.date(2026, 1, 5)
    for n in range(5):
        track = Track.objects.create(slug=f"bench-{n}", kind="course", title=f"B{n}", title_en=f"B{n}")
        Item.objects.bulk_create(
            Item(track=track, key=f"i{i}", position=i, kind="section", title="x", title_en="x", estimated_minutes=30)
            for i in range(2000)
        )
        Enrollment.objects.create(user=user, track=track, priority=n + 1, pace_per_day=60, start_date=start)
    rows = []
    for horizon in (90, 365):
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            result = plan_rebuild(user=user, today=start, horizon_days=horizon)
            best = min(best, time.perf_counter() - began)
        rows.append(
            {
                "database": connection.vendor,
                "items": 10_000,
                "horizon days": horizon,
                "entries written": result.entries_created,
                "best ms": f"{best * 1000:.0f}",
                "stored entries": PlanEntry.objects.filter(user=user).count(),
            }
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
