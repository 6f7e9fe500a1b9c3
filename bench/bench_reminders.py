"""Reminder e-mails: 1,000 and 10,000 learners due in the same tick, sent by the e-mail worker as
docker-compose.yml runs it (`celery worker --queues email --concurrency 2`: prefork, a process per core of
this 2-core machine) on PostgreSQL and Redis, to a local aiosmtpd server. Goal: 10,000 in 60 s or less, at
most 1.2 queries per e-mail.

The dispatcher's tick runs here (as worker-default runs it for beat) and enqueues the send batches on the
broker; the time runs from the tick until every reminder is marked sent. "worker CPU ms/e-mail" is the CPU
time (user + system, from /proc) of the worker's processes over the e-mails sent, which depends much less
than the wall time on what else the machine is running; "SMTP CPU" likewise for the SMTP server, a process of
its own that accepts and discards. Queries are counted in the worker's pool processes (reminders_worker.py).
The nightly re-plan has run (each learner's plan is of their local today), so sending only reads.
Each learner has a day of content: items in two tracks, reviews due, reading, a new blog post, finished
items for the streak, and one in five a deadline tomorrow (its reminder joins the daily e-mail); one in six
reads it in Chinese.

Without PostgreSQL (BENCH_POSTGRES_URL) and Redis (BENCH_REDIS_URL) it sends in-process, one batch after the
other ("solo"), on SQLite. `python bench/bench_reminders.py --repeat 3` runs the 10,000 three times and adds
the best and the median; `--profile` profiles the sending of 1,000 e-mails in-process (cProfile) and prints
the top entries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
LEARNERS = (1_000, 10_000)
# docker-compose.yml's worker-email: `--concurrency 2`, one process per core of the machine it was sized for.
CONCURRENCY = 2
GOAL_SECONDS = 60.0
GOAL_QUERIES = 1.2
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/brainqueue_bench_reminders")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Shanghai", "Asia/Kolkata", "UTC", "America/Los_Angeles")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str, port: int) -> bool:
    from urllib.parse import urlsplit

    try:
        with socket.create_connection((urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or port), timeout=1):
            return True
    except OSError:
        return False


def _populate(n: int, now: dt.datetime) -> None:
    """n learners due a minute ago, with a day of content each, written in bulk."""
    from zoneinfo import ZoneInfo

    from allauth.account.models import EmailAddress

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
    from tracker.services.planning import replan_due_at

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
    # Reminders go only to verified addresses.
    EmailAddress.objects.bulk_create(
        (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users), batch_size=2000
    )
    due = now - dt.timedelta(minutes=1)
    zones = [ZONES[i % len(ZONES)] for i in range(n)]
    # The learners in Shanghai read their e-mail in Chinese. The nightly job re-planned everyone's day at
    # their local midnight, hours before the morning e-mail (bench_replan.py measures that job).
    days = [due.astimezone(ZoneInfo(zone)).date() for zone in zones]
    StudyProfile.objects.bulk_create(
        (
            StudyProfile(
                user=u,
                time_zone=zones[i],
                next_reminder_at=due,
                language="zh-hans" if zones[i] == "Asia/Shanghai" else "en",
                plan_built_on=days[i],
                replan_due_at=replan_due_at(time_zone=zones[i], plan_day=days[i]),
            )
            for i, u in enumerate(users)
        ),
        batch_size=2000,
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


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes `pids` so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime and stime, the stat file's 14th and 15th fields
    return total / tick


def _process_tree(pid: int) -> list[int]:
    """`pid` and its children (the worker and its pool processes)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return [pid, *children]


def _settings_env(database_url: str, smtp_port: int, queue: str) -> dict[str, str]:
    """docker-compose.yml's application environment, on this machine's services."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-reminders-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_QUEUE": queue,
        "SITE_URL": "http://127.0.0.1:8000",
        "SENTRY_DSN": "",
        "METRICS_WORKER_PORT": "0",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
    }


def _prepare(n: int) -> None:
    """Runs in a child process whose DATABASE_URL points at an empty database: migrates and populates."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    _populate(n, timezone.now())


def _measure_pool(n: int, smtp_pid: int) -> dict[str, object]:
    """Runs in a child process on a populated database: starts the worker, ticks, waits until all is sent."""
    import django

    django.setup()
    from django.db import connection

    from config.celery_app import app
    from tracker.models import ReminderDelivery
    from tracker.services import reminders as services

    queue = os.environ["EMAIL_QUEUE"]
    node = f"{queue}@{socket.gethostname()}"
    counts = Path(os.environ["BENCH_QUERIES_DIR"])
    log = Path(os.environ["BENCH_WORKER_LOG"])
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "reminders_worker", "worker", "--loglevel", "INFO",
             "--queues", queue, "--hostname", f"{queue}@%h", "--concurrency", str(CONCURRENCY)],
            cwd=ROOT, env={**os.environ, "LOG_LEVEL": "INFO"}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[node], timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start: {log.read_text()[-2000:]}")
        dispatch_queries = 0

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal dispatch_queries
            dispatch_queries += 1
            return execute(sql, params, many, context)

        tree = _process_tree(worker.pid)
        worker_cpu, smtp_cpu = _cpu_seconds(tree), _cpu_seconds([smtp_pid])
        began = time.perf_counter()
        with connection.execute_wrapper(count):
            claimed = services.reminders_dispatch()
        dispatched = time.perf_counter()
        deadline = time.monotonic() + 900
        while ReminderDelivery.objects.filter(status=ReminderDelivery.Status.CLAIMED).exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker stopped sending: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        total = time.perf_counter() - began
        worker_cpu, smtp_cpu = _cpu_seconds(tree) - worker_cpu, _cpu_seconds([smtp_pid]) - smtp_cpu
        sent_rows = ReminderDelivery.objects.filter(status=ReminderDelivery.Status.SENT)
        sent = sent_rows.values("user_id").distinct().count()  # one e-mail per learner
        queries = sum(int(f.read_text()) for f in counts.iterdir())
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return {
        "database": connection.vendor,
        "learners": n,
        "worker": f"prefork x{CONCURRENCY} (compose)",
        "e-mails sent": sent,
        "reminders": claimed,
        "dispatch s": f"{dispatched - began:.1f}",
        "total s": f"{total:.1f}",
        "e-mails/s": f"{sent / total:.0f}",
        "ms per e-mail": f"{total / max(sent, 1) * 1000:.2f}",
        "worker CPU ms/e-mail": f"{worker_cpu / max(sent, 1) * 1000:.2f}",
        "SMTP CPU ms/e-mail": f"{smtp_cpu / max(sent, 1) * 1000:.2f}",
        "queries/e-mail": f"{queries / max(sent, 1):.2f}",
        "dispatch queries": dispatch_queries,
        "goal": _goal(n, sent, total, queries / max(sent, 1)),
    }


def _goal(n: int, sent: int, seconds: float, queries: float) -> str:
    if n < 10_000:
        return ""
    missed = [f"only {sent} of {n} sent"] if sent < n else []
    missed += [f"> {GOAL_SECONDS:.0f} s"] if seconds > GOAL_SECONDS else []
    missed += [f"> {GOAL_QUERIES} queries"] if queries > GOAL_QUERIES else []
    return f"missed ({', '.join(missed)})" if missed else "met"


def _measure_in_process(n: int, smtp_port: int, profile: bool = False) -> dict[str, object]:
    """Runs in a child process whose DATABASE_URL points at an empty database: populates, ticks, and sends
    the batches here, one after the other. With `profile`, under cProfile, printing its top entries."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tracker.services import reminders as services

    call_command("migrate", verbosity=0)
    now = timezone.now()
    _populate(n, now)
    settings.METRICS_EMAIL_INNER_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    batches: list[tuple[list[int], str]] = []
    # The broker: the worker takes the batches in the order they were enqueued.
    services._enqueue_send = lambda ids, token: batches.append((ids, token))  # type: ignore[assignment]
    queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        claimed = services.reminders_dispatch(now=now)
        dispatched = time.perf_counter()
    dispatch_queries, queries = queries, 0
    cpu = time.process_time()
    if profile:
        import cProfile
        import pstats

        sent = services.reminders_send(delivery_ids=batches[0][0], token=batches[0][1], now=now)  # warm
        profiler = cProfile.Profile()
        cpu, began = time.process_time(), time.perf_counter()
        with profiler:
            sent = sum(services.reminders_send(delivery_ids=ids, token=t, now=now) for ids, t in batches[1:])
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
    else:
        with connection.execute_wrapper(count):
            sent = sum(services.reminders_send(delivery_ids=ids, token=t, now=now) for ids, t in batches)
    total = time.perf_counter() - began
    cpu = time.process_time() - cpu
    return {
        "database": connection.vendor,
        "learners": n,
        "worker": "solo, in-process" + (", profiled" if profile else ""),
        "e-mails sent": sent,
        "reminders": claimed,
        "dispatch s": f"{dispatched - began:.1f}" if not profile else "",
        "total s": f"{total:.1f}",
        "e-mails/s": f"{sent / total:.0f}",
        "ms per e-mail": f"{total / max(sent, 1) * 1000:.2f}",
        "worker CPU ms/e-mail": f"{cpu / max(sent, 1) * 1000:.2f}",
        "SMTP CPU ms/e-mail": "",
        "queries/e-mail": f"{queries / max(sent, 1):.2f}" if not profile else "",
        "dispatch queries": dispatch_queries,
        "goal": "" if profile else _goal(n, sent, total, queries / max(sent, 1)),
    }


def _in_child(code: str, env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", f"import json, bench_reminders as b; print(json.dumps({code}))"],
        cwd=HERE,
        env={**env, "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)])},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _postgres(*args: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", *args], capture_output=True, check=False)


def _pool_runs(n: int, smtp_port: int, smtp_pid: int, repeat: int) -> list[dict[str, object]]:
    """Populates a template database once, then measures `repeat` times on a fresh copy of it."""
    base, name = POSTGRES_URL.rsplit("/", 1)
    template = f"{name}_template"
    rows = []
    queue = f"bench-email-{uuid.uuid4().hex[:8]}"  # its own queue: never takes anyone else's tasks
    try:
        _postgres(f'DROP DATABASE IF EXISTS "{template}"')
        _postgres(f'CREATE DATABASE "{template}"')
        env = _settings_env(f"{base}/{template}", smtp_port, queue)
        _in_child(f"b._prepare({n}) or {{}}", {**env, "LOG_LEVEL": "WARNING"})
        for _ in range(repeat):
            _postgres(f'DROP DATABASE IF EXISTS "{name}"')
            _postgres(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            with tempfile.TemporaryDirectory() as tmp:
                (Path(tmp) / "queries").mkdir()
                (Path(tmp) / "prometheus").mkdir()
                env = {
                    **_settings_env(POSTGRES_URL, smtp_port, queue),
                    "LOG_FORMAT": "json",
                    "LOG_LEVEL": "WARNING",  # the tick here; the worker logs at INFO, as compose runs it
                    "PROMETHEUS_MULTIPROC_DIR": str(Path(tmp) / "prometheus"),
                    "BENCH_QUERIES_DIR": str(Path(tmp) / "queries"),
                    "BENCH_WORKER_LOG": str(Path(tmp) / "worker.log"),
                }
                rows.append(_in_child(f"b._measure_pool({n}, {smtp_pid})", env))
    finally:
        _postgres(f'DROP DATABASE IF EXISTS "{name}"')
        _postgres(f'DROP DATABASE IF EXISTS "{template}"')
        _forget_queue(queue)
    return rows


def _forget_queue(queue: str) -> None:
    """Deletes what the broker kept of the bench's queue (its bindings, anything left in it)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{queue}*"))
    if keys:
        client.delete(*keys)


def _in_process_run(n: int, smtp_port: int, profile: bool = False) -> dict[str, object]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "LOG_LEVEL": "WARNING"}
    if _answers(POSTGRES_URL, 5432):
        name = POSTGRES_URL.rsplit("/", 1)[1]
        _postgres(f'DROP DATABASE IF EXISTS "{name}"')
        _postgres(f'CREATE DATABASE "{name}"')
        try:
            return _in_child(
                f"b._measure_in_process({n}, {smtp_port}, {profile})", {**env, "DATABASE_URL": POSTGRES_URL}
            )
        finally:
            _postgres(f'DROP DATABASE IF EXISTS "{name}"')
    with tempfile.TemporaryDirectory() as tmp:  # SQLite
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return _in_child(f"b._measure_in_process({n}, {smtp_port}, {profile})", {**env, "DATABASE_URL": url})


def _summary(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The best and the median of repeated runs, by total time and by worker CPU per e-mail."""
    out = []
    for label, pick in (("best", min), ("median", statistics.median_low)):
        row: dict[str, object] = dict.fromkeys(rows[0], "")
        for key in ("total s", "ms per e-mail", "worker CPU ms/e-mail", "SMTP CPU ms/e-mail", "queries/e-mail"):
            values = [float(str(r[key])) for r in rows if r[key] != ""]
            row[key] = f"{pick(values):.2f}" if values else ""
        row["worker"] = f"{label} of {len(rows)}"
        row["learners"] = rows[0]["learners"]
        out.append(row)
    return out


def main(learners: tuple[int, ...] = LEARNERS, repeat: int = 1) -> list[dict[str, object]]:
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
        rows: list[dict[str, object]] = []
        services = _answers(POSTGRES_URL, 5432) and _answers(REDIS_URL, 6379)
        for n in learners:
            if services:
                runs = _pool_runs(n, port, server.pid, repeat)
                rows += runs + (_summary(runs) if len(runs) > 1 else [])
            else:  # SQLite takes one writer at a time: one process sends, in-process
                rows += [_in_process_run(n, port) for _ in range(repeat)]
        return rows
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from run import table  # type: ignore[import-not-found]

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="*", default=list(LEARNERS))
    parser.add_argument("--repeat", type=int, default=1, help="measure each size this many times")
    parser.add_argument("--profile", action="store_true", help="profile 1,000 e-mails sent in-process instead")
    args = parser.parse_args()
    if args.profile:
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(1)  # the SMTP server's start; a profile, not a measurement
            print(table([_in_process_run(1_000, port, profile=True)]))
        finally:
            server.terminate()
            server.wait(10)
    else:
        print(table(main(tuple(args.learners), args.repeat)))
