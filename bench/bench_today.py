"""Today under gunicorn (2 workers) against a trivial list and the sign-in page of the same server, on
SQLite and PostgreSQL, for the demo learner. Goals: a 304 refresh ≤ 1.3× the device token list, a full
Today ≤ 2× it, the web Today ≤ 2× the sign-in page.

Each database gets its own server; every endpoint is asked ROUNDS times, one request after another and
interleaved (one of each per round), so all share the machine's load of the moment: the ratios are the
result, the milliseconds only say how busy the machine was. "Today, after a write" follows a request that
bumps the learner's version (not measured), so it is built afresh: the cost before any cache.
"""

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
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("BENCH_TODAY_ROUNDS", "300"))
WARM_ROUNDS = 20
PORT = int(os.environ.get("BENCH_TODAY_PORT", "8791"))
POSTGRES_URL = os.environ.get("BENCH_TODAY_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/bq_today_bench")
# The cache is shared by the server's workers, as in production: Redis when this one answers (else each
# worker's memory, where half the requests after a write find nothing).
REDIS_URL = os.environ.get("BENCH_TODAY_REDIS_URL", "redis://127.0.0.1:6379/11")

SETTINGS = """
from config.settings.test import *  # noqa: F403
import os
ROOT_URLCONF = "bench_today_urls"
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
if os.environ.get("BENCH_CACHE_URL"):
    CACHES["default"] = {  # noqa: F405
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["BENCH_CACHE_URL"],
        "KEY_PREFIX": os.environ["BENCH_CACHE_PREFIX"],
    }
"""
# The project's URLs, and one to bump the learner's version between requests (not measured).
URLS = """
from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project
from tracker.services.learner_state import learner_state_bump


def bump(request):
    learner_state_bump(user_id=int(request.GET["user"]))
    return HttpResponse(status=204)


urlpatterns = [path("bench/bump/", bump), *project]
"""

# One round, in this order: a write (a bump, not measured) and the two Todays built after it, then the
# steady state, which the cache serves.
ENDPOINTS = [
    # name, path, how the request is made
    ("Today after a write (API)", "/api/v1/today/", "token-after-bump"),
    ("Today page after a write (web)", "/", "session"),
    ("device tokens (API list)", "/api/v1/auth/tokens/", "token"),
    ("Today 304 (API)", "/api/v1/today/", "token-etag"),
    ("Today 200 (API)", "/api/v1/today/", "token"),
    ("sign-in page", "/accounts/login/", "anonymous"),
    ("Today page (web)", "/", "session"),
    ("Today page 304 (web)", "/", "session-etag"),
]
GOALS = [
    ("Today 304 (API)", "device tokens (API list)", 1.3),
    ("Today 200 (API)", "device tokens (API list)", 2.0),
    ("Today page (web)", "sign-in page", 2.0),
]


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _populate() -> dict[str, object]:
    """Runs in a child process with DATABASE_URL set: migrates, loads the curated content and the demo
    learner, and returns what a client needs to be them (a device token, a session)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from tracker.curation.files import read_curated_content
    from tracker.models import Progress, User
    from tracker.services.curation import curated_content_upsert
    from tracker.services.demo import demo_accounts_ensure
    from tracker.services.tokens import api_token_create

    call_command("migrate", verbosity=0)
    content = read_curated_content(ROOT / "fixtures")
    curated_content_upsert(content=content)
    assert content.demo is not None  # noqa: S101
    demo_accounts_ensure(demo=content.demo)
    learner = User.objects.get(username=content.demo["username"])
    _, secret = api_token_create(user=learner, device_name="bench")
    client = Client()
    client.force_login(learner)
    return {
        "user": learner.pk,
        "token": secret,
        "session": client.cookies["sessionid"].value,
        "progress rows": Progress.objects.filter(user=learner).count(),
    }


class _Client:
    """One request at a time, a new connection each, like a phone or a browser after a pause."""

    def __init__(self, who: dict[str, object]) -> None:
        self.who = who
        self.cookies: dict[str, str] = {"sessionid": str(who["session"])}
        self.etags: dict[tuple[str, str], str] = {}  # the latest ETag by path and by who asks

    def get(self, path: str, how: str) -> tuple[int, float]:
        headers: dict[str, str] = {}
        if how.startswith("token"):
            headers["Authorization"] = f"Token {self.who['token']}"
        if how.startswith("session"):
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        kind = how.split("-")[0]
        if how.endswith("etag") and (path, kind) in self.etags:
            headers["If-None-Match"] = self.etags[(path, kind)]
        if how == "token-after-bump":
            self._raw("GET", f"/bench/bump/?user={self.who['user']}", {})
        began = time.perf_counter()
        status, response_headers = self._raw("GET", path, headers)
        elapsed = time.perf_counter() - began
        for name, value in response_headers:
            if name.lower() == "set-cookie" and how.startswith("session"):
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            if name.lower() == "etag" and status == 200:
                self.etags[(path, kind)] = value
        return status, elapsed

    @staticmethod
    def _raw(method: str, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
        conn = HTTPConnection("127.0.0.1", PORT, timeout=30)
        try:
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status, response.getheaders()
        finally:
            conn.close()


def _wait_for_server(proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited; run it by hand to see why")
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start listening")


def _measure(who: dict[str, object]) -> dict[str, list[float]]:
    client = _Client(who)
    expected = {"token-etag": 304, "session-etag": 304}
    timings: dict[str, list[float]] = {name: [] for name, _, _ in ENDPOINTS}
    for round_ in range(WARM_ROUNDS + ROUNDS):
        for name, path, how in ENDPOINTS:
            status, elapsed = client.get(path, how)
            if status != expected.get(how, 200) and not (how.endswith("etag") and round_ == 0):
                raise RuntimeError(f"{name}: GET {path} answered {status}")
            if round_ >= WARM_ROUNDS:
                timings[name].append(elapsed * 1000)
    return timings


def _run(database: str, database_url: str, cache_url: str, tmp: str) -> list[dict[str, object]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_today_settings",
        "PYTHONPATH": os.pathsep.join([tmp, str(ROOT)]),
        "REDIS_URL": "",
        "BENCH_CACHE_URL": cache_url,
        # Each run its own keys: the databases are new, so learner ids and versions start over.
        "BENCH_CACHE_PREFIX": f"bench-today-{database}-{time.time_ns()}",
        # The bench asks far more often than a person: the per-learner throttle would answer 429.
        "API_THROTTLE_USER": "1000000/min",
        "API_THROTTLE_ANON": "1000000/min",
    }
    code = "import json, bench_today as b; print(json.dumps(b._populate()))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parent, env=env, capture_output=True, text=True, check=True
    ).stdout
    who: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_server(server)
        timings = _measure(who)
    finally:
        server.terminate()
        server.wait(timeout=10)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    rows: list[dict[str, object]] = []
    for name, values in timings.items():
        ordered = sorted(values)
        rows.append(
            {
                "database": database,
                "cache": "Redis" if cache_url else "local memory",
                "endpoint": name,
                "requests": len(values),
                "median ms": f"{medians[name]:.1f}",
                "p95 ms": f"{ordered[int(len(ordered) * 0.95) - 1]:.1f}",
                "ratio": "",
                "goal": "",
            }
        )
    by_name = {row["endpoint"]: row for row in rows}
    for name, base, goal in GOALS:
        ratio = medians[name] / medians[base]
        by_name[name]["ratio"] = f"{ratio:.2f}× {base}"
        by_name[name]["goal"] = f"≤ {goal}×: " + ("met" if ratio <= goal else "NOT met")
    for name, base in (
        ("Today after a write (API)", "device tokens (API list)"),
        ("Today page after a write (web)", "sign-in page"),
        ("Today page 304 (web)", "sign-in page"),
    ):
        by_name[name]["ratio"] = f"{medians[name] / medians[base]:.2f}× {base}"
    rows[0]["goal"] = f"demo learner, {who['progress rows']} progress rows"
    return rows


def main() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "bench_today_settings.py").write_text(textwrap.dedent(SETTINGS))
        Path(tmp, "bench_today_urls.py").write_text(textwrap.dedent(URLS))
        cache_url = REDIS_URL if _answers(REDIS_URL, 6379) else ""
        rows += _run("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", cache_url, tmp)
        if _answers(POSTGRES_URL, 5432):
            name = POSTGRES_URL.rsplit("/", 1)[1]
            host = urlparse(POSTGRES_URL)
            args = ["-h", host.hostname or "127.0.0.1", "-U", host.username or "postgres"]
            subprocess.run(["dropdb", *args, "--if-exists", name], capture_output=True, check=False)
            subprocess.run(["createdb", *args, name], capture_output=True, check=False)
            rows += _run("PostgreSQL", POSTGRES_URL, cache_url, tmp)
        else:
            rows.append({"database": "PostgreSQL", "endpoint": f"skipped: nothing answers at {POSTGRES_URL}"})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from run import table  # type: ignore[import-not-found]

    print(table(main()))
