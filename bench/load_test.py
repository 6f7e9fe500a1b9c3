"""Load test (`make load`): gunicorn as docker-compose.yml runs it, on PostgreSQL and Redis, under mobile
clients and signed-in web sessions.

It makes a database of its own (`bq_load` by default) with the curated content and N learners (500), each
made by the demo service (the demo learner's enrolments, progress, deadlines and reading), planned by the
planner, following three curated blogs whose posts are in the database, with a device token (knox) and, for
the first web sessions, a signed-in session. Then it starts gunicorn with the production settings and the
command line of docker-compose.yml's `web` service (config/gunicorn_conf.py, WEB_CONCURRENCY workers, 3 by
default) on 127.0.0.1, and for a fixed time (60 s) or up to a request cap runs:

- mobile clients (50), each on learners of its own, in a loop without pauses: GET /api/v1/today/ (with the
  ETag it holds in If-None-Match), the same again as an app's refresh (304 when nothing changed), POST
  /api/v1/progress/{item}/done/ on the first open item with an Idempotency-Key (every fifth one sent twice,
  as a retry after a lost response, which must be replayed), GET /api/v1/plan/ for the week,
  /api/v1/reading/ and /api/v1/feeds/posts/;
- web sessions (10) with a session cookie, browsing Today, My plan and Progress (no browser: httpx).

It prints per endpoint the requests, requests per second and the 50th, 95th and 99th percentile latency,
the errors (a transport error or an unexpected status: the goal is none), and the most connections the
database had at once (pg_stat_activity, sampled every 0.2 s). Loopback only; it stops gunicorn and drops its
database when done, whatever happened. `python bench/load_test.py --help` lists the parameters;
`--json FILE` also writes the results as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FEEDS = 3
POSTS_PER_FEED = 20
RETRY_EVERY = 5  # one "done" in five is sent twice with its Idempotency-Key
WEB_PAGES = (("GET / (web, Today)", "/"), ("GET /plan/ (web)", "/plan/"), ("GET /progress/ (web)", "/progress/"))


# --- The database: made by the project's own services, in a child process with the production settings --


def _setup() -> None:
    import django

    django.setup()


def prepare() -> dict[str, Any]:
    """Runs with DJANGO_SETTINGS_MODULE and DATABASE_URL set: migrates, loads the curated content, collects
    the static files, stores the curated blogs' posts."""
    _setup()
    from django.core.management import call_command
    from django.utils import timezone

    from tracker.models import Feed, FeedPost
    from tracker.services.demo import demo_accounts_ensure

    call_command("migrate", verbosity=0)
    call_command("seed", "--no-demo", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    demo_accounts_ensure(demo=None)  # the admin and the curator, before the learners are made in parallel
    now = timezone.now()
    feeds = list(Feed.objects.filter(is_curated=True).order_by("pk")[:FEEDS])
    # What the feed fetcher would have stored (the test machine does not reach the blogs).
    FeedPost.objects.bulk_create(
        FeedPost(
            feed=feed,
            guid_hash=hashlib.sha256(f"load-{feed.pk}-{n}".encode()).hexdigest(),
            url=f"https://blog.example.org/{feed.pk}/{n}",
            title=f"Post {n} of {feed.title}",
            summary_html=f"<p>What happened in post {n}.</p>",
            published_at=now - dt.timedelta(hours=6 * n),
        )
        for feed in feeds
        for n in range(POSTS_PER_FEED)
    )
    return {}


def make_learners(first: int, last: int, web: int) -> dict[str, Any]:
    """Makes learners number `first` to `last` (excluded) with the demo service, plans their days, makes them
    follow the curated blogs (two posts queued for reading), gives each a device token and the first `web`
    a signed-in session. Returns the token secrets and the session cookies."""
    _setup()
    from django.conf import settings
    from django.test import Client

    from tracker.curation.files import read_curated_content
    from tracker.models import Feed, FeedPost, User
    from tracker.services.demo import demo_accounts_ensure
    from tracker.services.feeds import feed_post_queue, feed_subscribe_curated
    from tracker.services.planning import plan_rebuild
    from tracker.services.tokens import api_token_create

    demo = read_curated_content(settings.FIXTURES_DIR).demo
    if demo is None:
        raise RuntimeError("fixtures/demo.yaml is missing: the learners are made from it")
    feeds = list(Feed.objects.filter(is_curated=True).order_by("pk")[:FEEDS])
    posts = list(FeedPost.objects.filter(feed=feeds[0]).order_by("pk"))
    tokens, cookies = [], []
    for n in range(first, last):
        username = f"load{n:04d}"
        demo_accounts_ensure(demo={**demo, "username": username})
        user = User.objects.get(username=username)
        plan_rebuild(user=user)
        for feed in feeds:
            feed_subscribe_curated(user=user, slug=feed.curated_slug)
        for post in posts[n % 5 : n % 5 + 2]:
            feed_post_queue(user=user, post=post)
        tokens.append(api_token_create(user=user, device_name="load test")[1])
        if n < web:
            client = Client()
            client.force_login(user)
            cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return {"tokens": tokens, "cookie_name": settings.SESSION_COOKIE_NAME, "cookies": cookies}


def populate(learners: int, web: int, env: dict[str, str], parallel: int = 2) -> dict[str, Any]:
    """The database for a run, made in child processes: `prepare`, then the learners in `parallel` parts."""

    def child(code: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", f"import json, load_test as t; print(json.dumps({code}))"],
            cwd=HERE, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def result(process: subprocess.Popen[str]) -> dict[str, Any]:
        out = process.communicate()[0]
        if process.returncode:
            raise RuntimeError(f"making the database failed ({process.returncode}); see above")
        return dict(json.loads(out.strip().splitlines()[-1]))

    result(child("t.prepare()"))
    bounds = [learners * k // parallel for k in range(parallel + 1)]
    parts = [child(f"t.make_learners({bounds[k]}, {bounds[k + 1]}, {web})") for k in range(parallel)]
    made = [result(p) for p in parts]
    return {
        "tokens": [token for part in made for token in part["tokens"]],
        "cookie_name": made[0]["cookie_name"],
        "cookies": [cookie for part in made for cookie in part["cookies"]],
    }


# --- The clients ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Endpoint:
    latencies: list[float] = dataclasses.field(default_factory=list)
    statuses: Counter[int] = dataclasses.field(default_factory=Counter)
    errors: list[str] = dataclasses.field(default_factory=list)


class Run:
    """The shared state of a run: its end, the request cap, what each endpoint saw."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.ends = time.monotonic() + seconds
        self.max_requests = max_requests
        self.requests = 0
        self.endpoints: dict[str, Endpoint] = {}

    def over(self) -> bool:
        return time.monotonic() >= self.ends or self.requests >= self.max_requests

    async def call(self, client: Any, name: str, method: str, url: str, expect: set[int], **kwargs: Any) -> Any:
        """One request; records its latency and status, and an error for a status not in `expect`."""
        import httpx

        endpoint = self.endpoints.setdefault(name, Endpoint())
        self.requests += 1
        began = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            endpoint.errors.append(f"{type(exc).__name__}: {exc}")
            return None
        finally:
            endpoint.latencies.append(time.perf_counter() - began)
        endpoint.statuses[response.status_code] += 1
        if response.status_code not in expect:
            endpoint.errors.append(f"{response.status_code} {response.text[:200]}")
        return response


async def mobile_client(run: Run, base_url: str, tokens: list[str]) -> None:
    """An app on each of `tokens`' learners in turn: opens Today, refreshes it, ticks an item off, looks at
    the week's plan, the reading queue and the new blog posts."""
    import httpx

    known: dict[str, tuple[str, dict[str, Any]]] = {}  # token: (Today's ETag, Today)
    done = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for token in itertools.cycle(tokens):
            if run.over():
                return
            auth = {"Authorization": f"Token {token}"}
            etag, today = known.get(token, ("", {}))
            response = await run.call(
                client, "GET /api/v1/today/", "GET", "/api/v1/today/", {200, 304},
                headers={**auth, **({"If-None-Match": etag} if etag else {})},
            )  # fmt: skip
            if response is None:
                continue
            if response.status_code == 200:
                etag, today = response.headers["ETag"], response.json()
                known[token] = (etag, today)
            await run.call(
                client, "GET /api/v1/today/ (refresh, If-None-Match)", "GET", "/api/v1/today/", {304},
                headers={**auth, "If-None-Match": etag},
            )  # fmt: skip
            entries = [e for track in today.get("tracks", []) for e in track["entries"]]
            open_entry = next((e for e in entries if e.get("progress_status") not in {"done", "skipped"}), None)
            if open_entry is not None:
                key, body = str(uuid.uuid4()), {"minutes_spent": 25}
                url = f"/api/v1/progress/{open_entry['item']['id']}/done/"
                headers = {**auth, "Idempotency-Key": key}
                await run.call(
                    client, "POST /api/v1/progress/{item}/done/", "POST", url, {200}, headers=headers, json=body
                )
                done += 1
                if done % RETRY_EVERY == 1:  # the first, the sixth, …
                    replay = await run.call(
                        client, "POST /api/v1/progress/{item}/done/ (retry, replayed)", "POST", url, {200},
                        headers=headers, json=body,
                    )  # fmt: skip
                    if replay is not None and replay.headers.get("Idempotent-Replayed") != "true":
                        run.endpoints["POST /api/v1/progress/{item}/done/ (retry, replayed)"].errors.append(
                            "a retry with the same Idempotency-Key was not replayed"
                        )
            if not today.get("date"):
                continue  # Today never answered 200 for this learner: nothing to go on
            day = dt.date.fromisoformat(today["date"])
            week = f"/api/v1/plan/?start={day}&end={day + dt.timedelta(days=6)}"
            await run.call(client, "GET /api/v1/plan/", "GET", week, {200, 304}, headers=auth)
            await run.call(client, "GET /api/v1/reading/", "GET", "/api/v1/reading/", {200}, headers=auth)
            await run.call(client, "GET /api/v1/feeds/posts/", "GET", "/api/v1/feeds/posts/", {200}, headers=auth)


async def web_session(run: Run, base_url: str, cookie_name: str, cookie: str) -> None:
    """A signed-in browser session (the session cookie, no browser) going from page to page."""
    import httpx

    headers = {"Cookie": f"{cookie_name}={cookie}"}  # sent over plain HTTP although the cookie is Secure
    async with httpx.AsyncClient(base_url=base_url, timeout=30, headers=headers) as client:
        while not run.over():
            for name, path in WEB_PAGES:
                if run.over():
                    return
                await run.call(client, name, "GET", path, {200})


async def drive(run: Run, base_url: str, made: dict[str, Any], mobile: int) -> None:
    tokens = made["tokens"]
    # Each client has learners of its own, so that one client's writes never change what another expects.
    clients = [mobile_client(run, base_url, tokens[k::mobile]) for k in range(mobile)]
    clients += [web_session(run, base_url, made["cookie_name"], cookie) for cookie in made["cookies"]]
    await asyncio.gather(*clients)


# --- The server, the database's connections, the run ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _loopback(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"{what} must be on this machine (127.0.0.1), not {host!r}: the load test is loopback only")


def _reachable(url: str, port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or port), timeout=1):
            return True
    except OSError:
        return False


class ConnectionSampler(threading.Thread):
    """Samples the database's connection count (pg_stat_activity) until stopped; keeps the largest."""

    def __init__(self, server_url: str, database: str) -> None:
        super().__init__(daemon=True)
        self.server_url, self.database = server_url, database
        self.most = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as conn:
            while not self.stopped.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchone()
                self.most = max(self.most, int(row[0]) if row else 0)
                self.stopped.wait(0.2)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(run: Run, seconds: float, connections: int, workers: int) -> dict[str, Any]:
    rows = []
    for name, endpoint in sorted(run.endpoints.items()):
        latencies = endpoint.latencies or [0.0]
        rows.append(
            {
                "endpoint": name,
                "requests": len(endpoint.latencies),
                "req/s": round(len(endpoint.latencies) / seconds, 1),
                "p50 ms": round(statistics.median(latencies) * 1000, 1),
                "p95 ms": round(_percentile(latencies, 0.95) * 1000, 1),
                "p99 ms": round(_percentile(latencies, 0.99) * 1000, 1),
                "statuses": dict(sorted(endpoint.statuses.items())),
                "errors": len(endpoint.errors),
            }
        )
    total = sum(r["requests"] for r in rows)
    return {
        "seconds": round(seconds, 1),
        "requests": total,
        "requests_per_second": round(total / seconds, 1),
        "errors": sum(r["errors"] for r in rows),
        "first_errors": [e for ep in run.endpoints.values() for e in ep.errors[:3]][:10],
        "database_connections_max": connections,
        "gunicorn_workers": workers,
        "endpoints": rows,
    }


def print_report(result: dict[str, Any]) -> None:
    columns = ["endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "statuses", "errors"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for row in result["endpoints"]:
        statuses = ", ".join(f"{code}: {n}" for code, n in row["statuses"].items())
        print("| " + " | ".join(str(row[c]) if c != "statuses" else statuses for c in columns) + " |")
    print(
        f"\n{result['requests']} requests in {result['seconds']} s: {result['requests_per_second']} requests/s, "
        f"{result['errors']} errors (goal: 0); gunicorn workers: {result['gunicorn_workers']}; "
        f"database connections at most: {result['database_connections_max']}"
    )
    for error in result["first_errors"]:
        print(f"  error: {error}")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of the master and its workers
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--mobile", type=int, default=50, help="concurrent mobile clients")
    parser.add_argument("--web", type=int, default=10, help="concurrent signed-in web sessions")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bq_load"),
        help="a database of its own: made at the start, dropped at the end",
    )
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.mobile < 1 or args.learners < args.mobile or args.web > args.learners:
        parser.error("give at least one mobile client, at least as many learners, and no more web sessions")
    _loopback(args.database_url, "PostgreSQL")
    _loopback(args.redis_url, "Redis")
    for url, port, what in ((args.database_url, 5432, "PostgreSQL"), (args.redis_url, 6379, "Redis")):
        if not _reachable(url, port):
            raise SystemExit(f"{what} does not answer at {url}: the load test needs it (see README, 'Load test')")

    server_url, database = args.database_url.rsplit("/", 1)
    admin_url = f"{server_url}/postgres"
    tmp = Path(tempfile.mkdtemp(prefix="bq-load-"))
    port = _free_port()
    env = {
        **os.environ,
        # docker-compose.yml's application environment, on this machine's services.
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "load-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": args.database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": args.redis_url,
        "EMAIL_URL": "consolemail://",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "METRICS_TOKEN": "",
        "SENTRY_DSN": "",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"),
        "BRAINQUEUE_VAR_DIR": str(tmp),  # collectstatic writes the static files under it
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
    }
    gunicorn: subprocess.Popen[bytes] | None = None
    sampler = ConnectionSampler(admin_url, database)
    try:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}"')
        began = time.monotonic()
        print(f"Making {args.learners} learners in {database}…", file=sys.stderr)
        made = populate(args.learners, args.web, env)
        print(f"  made in {time.monotonic() - began:.0f} s; starting gunicorn on 127.0.0.1:{port}", file=sys.stderr)
        (tmp / "prometheus").mkdir(exist_ok=True)
        log = (tmp / "gunicorn.log").open("wb")
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--config", "config/gunicorn_conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--timeout", "60",
             "--forwarded-allow-ips=*", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_for_health(port, gunicorn, tmp / "gunicorn.log")
        sampler.start()
        run = Run(args.seconds, args.max_requests)
        started = time.monotonic()
        asyncio.run(drive(run, f"http://127.0.0.1:{port}", made, args.mobile))
        elapsed = time.monotonic() - started
        sampler.stopped.set()
        sampler.join(5)
        result = report(run, elapsed, sampler.most, args.workers)
        result["parameters"] = {k: v for k, v in vars(args).items() if k != "json"} | {"json": str(args.json or "")}
    finally:
        sampler.stopped.set()
        _stop(gunicorn)
        try:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


def _wait_for_health(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz?only=database,redis", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz in 60 s:\n{log.read_text()[-3000:]}")


if __name__ == "__main__":
    outcome = main()
    print_report(outcome)
    sys.exit(1 if outcome["errors"] else 0)
