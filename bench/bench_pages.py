"""Server time of the Today and Progress pages for a learner with 5 tracks and 3,000 progress rows
(goal: at most 50 ms), measured with Django's test client on SQLite (and PostgreSQL when
BENCH_DATABASE_URL is set)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 50.0
RUNS = 30


def _measure() -> list[dict[str, object]]:
    """Runs in a child process whose DATABASE_URL is already set."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from tracker.models import Enrollment, Item, Progress, ReviewLog, StudyProfile, Track, User
    from tracker.services.planning import plan_rebuild

    setup_test_environment()
    call_command("migrate", verbosity=0)
    User.objects.filter(username="bench-pages").delete()
    Track.objects.filter(slug__startswith="bench-pages-").delete()
    user = User.objects.create_user(username="bench-pages", password="x")  # noqa: S106
    StudyProfile.objects.create(user=user, time_zone="Asia/Shanghai", parallel_limit=5, daily_minutes=240)
    now = timezone.now()
    for n in range(5):
        track = Track.objects.create(slug=f"bench-pages-{n}", kind="course", title=f"课程 {n}", title_en=f"Course {n}")
        items = Item.objects.bulk_create(
            Item(track=track, key=f"i{i}", position=i, kind="section", title=f"第{i}节", title_en=f"Section {i}")
            for i in range(800)
        )
        Enrollment.objects.create(
            user=user,
            track=track,
            priority=n + 1,
            start_date=(now - dt.timedelta(days=400)).date(),
            target_date=(now + dt.timedelta(days=90)).date(),
        )
        # 600 finished items a track, spread over the last 400 days: 3,000 progress rows in all.
        Progress.objects.bulk_create(
            Progress(
                user=user,
                item=item,
                status="done",
                done_at=now - dt.timedelta(hours=3 + i * 16),
                started_at=now - dt.timedelta(hours=4 + i * 16),
                time_spent_minutes=30,
                note="**done**",
            )
            for i, item in enumerate(items[:600])
        )
        ReviewLog.objects.bulk_create(
            ReviewLog(user=user, item=item, rating=3, reviewed_at=now - dt.timedelta(days=i))
            for i, item in enumerate(items[:60])
        )
    plan_rebuild(user=user)
    client = Client()
    client.force_login(user)
    rows = []
    for name, url in (("Today", "/"), ("Progress", "/progress/")):
        if client.get(url).status_code != 200:  # warm: templates compiled, the plan current
            raise RuntimeError(f"GET {url} failed")
        timings = []
        for _ in range(RUNS):
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
        best, median = min(timings), statistics.median(timings)
        rows.append(
            {
                "database": connection.vendor,
                "page": name,
                "progress rows": Progress.objects.filter(user=user).count(),
                "best ms": f"{best:.1f}",
                "median ms": f"{median:.1f}",
                "goal ≤ 50 ms": "PASS" if median <= GOAL_MS else "MISS",
            }
        )
    return rows


def _run_in_child(database_url: str) -> list[dict[str, object]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    code = "import json, bench_pages as b; print(json.dumps(b._measure()))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parent, env=env, capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def main() -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _run_in_child(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
    if os.environ.get("BENCH_DATABASE_URL"):
        rows += _run_in_child(os.environ["BENCH_DATABASE_URL"])
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from run import table  # type: ignore[import-not-found]

    print(table(main()))
