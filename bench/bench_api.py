"""GET /api/v1/today/ under gunicorn (2 workers) against a bare Django JSON view in the same server, on
PostgreSQL with 1,000 learners × 5 enrolments and 20,000 progress rows. Goal: ≥ 0.5× the bare view."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("BENCH_API_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/brainqueue_bench_api")
LEARNERS = 1_000
ENROLMENTS_EACH = 5
PROGRESS_ROWS = 20_000
TRACKS = 20
ITEMS_PER_TRACK = 200
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "15"))
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", "8"))
PORT = int(os.environ.get("BENCH_API_PORT", "8765"))

# The server's settings and URLs: the project's test settings, the API, and the bare view to compare with.
SETTINGS = """
from config.settings.test import *  # noqa: F403
ROOT_URLCONF = "bench_api_urls"
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
"""
URLS = """
from django.http import JsonResponse
from django.urls import include, path

def bare(request):
    return JsonResponse({"ok": True, "items": [1, 2, 3]})

urlpatterns = [path("bench/bare/", bare), path("api/", include("api.urls"))]
"""


def _postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _populate() -> list[str]:
    """Runs in a child process with DATABASE_URL set: migrates, fills the database, returns the learners'
    token secrets. bulk_create throughout: about ten seconds."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from knox.models import get_digest_token
    from knox.settings import CONSTANTS

    from api.models import ApiToken
    from tracker.models import Enrollment, Item, PlanEntry, Progress, StudyProfile, Track, User

    call_command("migrate", verbosity=0)
    for model in (PlanEntry, Progress, Enrollment, ApiToken, StudyProfile, Item, Track):
        model.objects.all().delete()
    User.objects.filter(username__startswith="bench").delete()
    today = timezone.now().date()
    tracks = Track.objects.bulk_create(
        Track(slug=f"bench-{n}", kind="course", title=f"课程 {n}", title_en=f"Course {n}") for n in range(TRACKS)
    )
    items = Item.objects.bulk_create(
        Item(track=t, key=f"i{i}", position=i, kind="section", title=f"节 {i}", title_en=f"Section {i}")
        for t in tracks
        for i in range(ITEMS_PER_TRACK)
    )
    by_track = {t.pk: [i for i in items if i.track_id == t.pk] for t in tracks}
    unusable = "!"  # no password signs in: the learners use tokens
    users = User.objects.bulk_create(User(username=f"bench{n}", password=unusable) for n in range(LEARNERS))
    StudyProfile.objects.bulk_create(StudyProfile(user=u, plan_built_on=today) for u in users)
    enrolments, progress, entries, tokens, secrets = [], [], [], [], []
    done_per_learner = PROGRESS_ROWS // LEARNERS
    now = timezone.now()
    for n, user in enumerate(users):
        mine = [tracks[(n + k) % TRACKS] for k in range(ENROLMENTS_EACH)]
        for priority, track in enumerate(mine, start=1):
            enrolments.append(Enrollment(user=user, track=track, priority=priority, start_date=today))
        first = by_track[mine[0].pk]
        for k in range(done_per_learner):
            progress.append(Progress(user=user, item=first[k], status="done", done_at=now - dt.timedelta(days=k % 30)))
        for track in mine:
            nxt = by_track[track.pk][done_per_learner]
            entries.append(PlanEntry(user=user, item=nxt, date=today, minutes=30))
        digest, secret = get_digest_token()
        tokens.append(
            ApiToken(user=user, device_name="bench", digest=digest, token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH])
        )
        secrets.append(secret)
    saved = Enrollment.objects.bulk_create(enrolments, batch_size=2000)
    enrolment_of = {(e.user_id, e.track_id): e.pk for e in saved}
    track_of = {item.pk: item.track_id for item in items}
    for entry in entries:
        entry.enrollment_id = enrolment_of[(entry.user_id, track_of[entry.item_id])]
    Progress.objects.bulk_create(progress, batch_size=5000)
    PlanEntry.objects.bulk_create(entries, batch_size=5000)
    ApiToken.objects.bulk_create(tokens, batch_size=2000)
    return secrets


def _load(args: tuple[str, list[str], float, int]) -> tuple[int, int, list[float]]:
    """One client: GETs `path` for `seconds`, rotating over the tokens. Returns ok, errors, latencies."""
    path, secrets, seconds, offset = args
    ok = errors = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    n = offset
    while time.perf_counter() < deadline:
        headers = {"Authorization": f"Token {secrets[n % len(secrets)]}"} if secrets else {}
        n += 1
        began = time.perf_counter()
        conn = HTTPConnection("127.0.0.1", PORT, timeout=10)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                errors += 1
        except OSError:
            errors += 1
        finally:
            conn.close()
        latencies.append(time.perf_counter() - began)
    return ok, errors, latencies


def _measure(path: str, secrets_file: str) -> dict[str, object]:
    """Runs the load generator in a child process (its client processes need an importable module)."""
    code = f"import json, bench_api as b; print(json.dumps(b._measure_here({path!r}, {secrets_file!r})))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parent, capture_output=True, text=True, check=True
    ).stdout
    row: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return row


def _measure_here(path: str, secrets_file: str) -> dict[str, object]:
    secrets: list[str] = json.loads(Path(secrets_file).read_text()) if secrets_file else []
    with ProcessPoolExecutor(CLIENTS) as pool:
        _load((path, secrets[:10], 1.0, 0))  # warm-up: workers import, connect, fill caches
        results = list(pool.map(_load, [(path, secrets, SECONDS, k * 97) for k in range(CLIENTS)]))
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    return {
        "endpoint": path,
        "requests/s": round(ok / SECONDS),
        "p50 ms": f"{statistics.median(latencies) * 1000:.1f}",
        "p99 ms": f"{latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f}",
        "errors": errors,
    }


def _wait_for_server(proc: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited; run it by hand to see why")
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start listening")


def main() -> list[dict[str, object]]:
    if not _postgres_answers():
        return [
            {"skipped": "PostgreSQL does not answer on 127.0.0.1:5432; set BENCH_API_POSTGRES_URL to one that does"}
        ]
    name = POSTGRES_URL.rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True, check=False)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "bench_api_settings.py").write_text(textwrap.dedent(SETTINGS))
        Path(tmp, "bench_api_urls.py").write_text(textwrap.dedent(URLS))
        env = {
            **os.environ,
            "DATABASE_URL": POSTGRES_URL,
            "DJANGO_SETTINGS_MODULE": "bench_api_settings",
            "PYTHONPATH": os.pathsep.join([tmp, str(ROOT)]),
            "REDIS_URL": "",
        }
        began = time.perf_counter()
        code = "import json, bench_api as b; print(json.dumps(b._populate()))"
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=Path(__file__).parent, env=env, capture_output=True, text=True, check=True
        ).stdout
        secrets: list[str] = json.loads(out.strip().splitlines()[-1])
        populate_s = time.perf_counter() - began
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{PORT}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_server(server)
            secrets_file = str(Path(tmp, "secrets.json"))
            Path(secrets_file).write_text(json.dumps(secrets))
            bare = _measure("/bench/bare/", "")
            today = _measure("/api/v1/today/", secrets_file)
        finally:
            server.terminate()
            server.wait(timeout=10)
    ratio = int(str(today["requests/s"])) / max(1, int(str(bare["requests/s"])))
    for row in (bare, today):
        row["vs bare"] = f"{int(str(row['requests/s'])) / max(1, int(str(bare['requests/s']))):.2f}×"
        row["data"] = f"{LEARNERS} learners, {LEARNERS * ENROLMENTS_EACH} enrolments, {PROGRESS_ROWS} progress rows"
    today["goal"] = "≥ 0.5× bare: " + ("met" if ratio >= 0.5 else "NOT met")
    bare["goal"] = f"data set built in {populate_s:.0f} s"
    return [bare, today]
