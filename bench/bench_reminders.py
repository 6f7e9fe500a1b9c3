"""Reminder e-mails: 1,000 and 10,000 learners due in the same tick, one worker process, delivery to a local
aiosmtpd server. Goal: 10,000 in 60 s or less, and the same queries per e-mail at both sizes.

The worker's part runs in-process as one worker process runs it: one dispatcher tick (claims, next reminder
times, batches), then the send batches (one SMTP connection each), in turn ("solo", as `--pool solo`) or
four at a time on threads (as `celery worker --pool threads --concurrency 4`: still one process, which waits
on the SMTP server and the database in parallel). Each learner has a day of
content: items in two tracks, reviews due, reading, a new blog post, finished items for the streak, and one
in five a deadline tomorrow (its reminder joins the daily e-mail). PostgreSQL when it answers (or
BENCH_POSTGRES_URL), else SQLite; the SMTP server is a process of its own that accepts and discards."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# (learners, threads of the one worker process)
RUNS = ((1_000, 1), (10_000, 1), (10_000, 4))
GOAL_SECONDS = 60.0
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/brainqueue_bench_reminders")
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Shanghai", "Asia/Kolkata", "UTC", "America/Los_Angeles")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _populate(n: int, now: dt.datetime) -> None:
    """n learners due a minute ago, with a day of content each, written in bulk."""
    from zoneinfo import ZoneInfo

    from tracker.models import (
        Deadline,
        Enrollment,
        Feed,
        FeedPost,
        FeedSubscription,
        Item,
        PlanEntry,
        Progress,
        ReadingQueueEntry,
        ReviewCard,
        StudyProfile,
        Track,
        User,
    )

    tracks = [
        Track.objects.create(slug=f"bench-{t}", kind="course", title=f"课程{t}", title_en=f"Course {t}")
        for t in range(4)
    ]
    items = {
        t.pk: Item.objects.bulk_create(
            Item(track=t, key=f"i{i}", position=i, kind="section", title=f"第{i}节", title_en=f"Section {i}")
            for i in range(20)
        )
        for t in tracks
    }
    unusable = "!"  # no password: nobody signs in as a bench learner
    users = User.objects.bulk_create(
        (User(username=f"bench{i}", email=f"bench{i}@example.org", password=unusable) for i in range(n)),
        batch_size=2000,
    )
    due = now - dt.timedelta(minutes=1)
    zones = [ZONES[i % len(ZONES)] for i in range(n)]
    StudyProfile.objects.bulk_create(
        (StudyProfile(user=u, time_zone=zones[i], next_reminder_at=due) for i, u in enumerate(users)), batch_size=2000
    )
    feed = Feed.objects.create(url="https://blog.example.org/feed", title="Deployment blog")
    FeedPost.objects.create(
        feed=feed, guid_hash="0" * 64, title="INT4 on TensorRT-LLM", url="https://blog.example.org/1"
    )
    FeedSubscription.objects.bulk_create((FeedSubscription(user=u, feed=feed) for u in users), batch_size=2000)
    enrollments, entries, cards, reading, progress, deadlines = [], [], [], [], [], []
    for i, user in enumerate(users):
        today = due.astimezone(ZoneInfo(zones[i])).date()
        mine = (tracks[i % 4], tracks[(i + 1) % 4])
        for priority, track in enumerate(mine, start=1):
            enrollment = Enrollment(user=user, track=track, priority=priority, start_date=today)
            enrollments.append(enrollment)
            for position, item in enumerate(items[track.pk][:2]):
                entries.append(
                    PlanEntry(user=user, item=item, enrollment=enrollment, date=today, position=position, minutes=30)
                )
        for item in items[mine[0].pk][10:12]:
            cards.append(ReviewCard(user=user, item=item, due=due - dt.timedelta(days=1)))
        for back, item in enumerate(items[mine[1].pk][15:18], start=1):
            progress.append(Progress(user=user, item=item, status="done", done_at=due - dt.timedelta(days=back)))
        reading.append(ReadingQueueEntry(user=user, title="TensorRT best practices", url="https://example.org/trt"))
        if i % 5 == 0:
            deadlines.append(
                Deadline(owner=user, title="截止", title_en="Paper due", due_at=now + dt.timedelta(hours=20))
            )
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    for entry in entries:
        entry.enrollment_id = entry.enrollment.pk
    for model, rows in (
        (PlanEntry, entries),
        (ReviewCard, cards),
        (Progress, progress),
        (ReadingQueueEntry, reading),
        (Deadline, deadlines),
    ):
        model.objects.bulk_create(rows, batch_size=2000)  # type: ignore[attr-defined]


def _measure(n: int, smtp_port: int, threads: int) -> dict[str, object]:
    """Runs in a child process whose DATABASE_URL points at an empty database."""
    import django

    django.setup()
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from tracker.services import reminders as services

    call_command("migrate", verbosity=0)
    now = timezone.now()
    _populate(n, now)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    batches: list[tuple[list[int], str]] = []
    # The broker: the worker takes the batches in the order they were enqueued.
    services._enqueue_send = lambda ids, token: batches.append((ids, token))  # type: ignore[assignment]
    queries = 0
    lock = threading.Lock()

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        with lock:
            queries += 1
        return execute(sql, params, many, context)

    def send(batch: tuple[list[int], str]) -> int:
        try:
            with connections["default"].execute_wrapper(count):
                return services.reminders_send(delivery_ids=batch[0], token=batch[1], now=now)
        finally:
            if threads > 1:
                connections["default"].close()

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        claimed = services.reminders_dispatch(now=now)
        dispatched = time.perf_counter()
    dispatch_queries, queries = queries, 0
    if threads == 1:
        sent = sum(send(batch) for batch in batches)
    else:
        with ThreadPoolExecutor(threads) as pool:
            sent = sum(pool.map(send, batches))
    finished = time.perf_counter()
    total = finished - began
    return {
        "database": connection.vendor,
        "learners": n,
        "worker": "solo" if threads == 1 else f"{threads} threads",
        "emails sent": sent,
        "reminders": claimed,
        "batches": len(batches),
        "dispatch s": f"{dispatched - began:.1f}",
        "total s": f"{total:.1f}",
        "emails/s": f"{sent / total:.0f}",
        "queries per email (send)": f"{queries / max(sent, 1):.2f}",
        "dispatch queries": dispatch_queries,
        "goal": "" if n < 10_000 else ("met" if total <= GOAL_SECONDS else f"missed (> {GOAL_SECONDS:.0f} s)"),
    }


def _run_in_child(database_url: str, n: int, smtp_port: int, threads: int) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    code = f"import json, bench_reminders as b; print(json.dumps(b._measure({n}, {smtp_port}, {threads})))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent,
        env={**env, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _fresh_postgres() -> None:
    name = POSTGRES_URL.rsplit("/", 1)[1]
    for command in ("dropdb", "createdb"):
        subprocess.run([command, "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True, check=False)


def main() -> list[dict[str, object]]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        rows = []
        for n, threads in RUNS:
            if _postgres_answers():
                _fresh_postgres()
                rows.append(_run_in_child(POSTGRES_URL, n, port, threads))
            else:  # SQLite takes one writer at a time: threads would only queue on its lock
                with tempfile.TemporaryDirectory() as tmp:
                    rows.append(_run_in_child(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", n, port, 1))
        return rows
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from run import table  # type: ignore[import-not-found]

    print(table(main()))
