"""Feed fetching, 500 loopback feeds in one worker process: first round (all new) and steady round (all 304).

The worker runs the batch fetch as the task does (claim, fetch concurrently, parse, store, deliver into one
subscriber's reading queue); the server runs in a process of its own. Goal: the steady round at 100 feeds/s
or more."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FEEDS = 500
ENTRIES = 10
GOAL_STEADY = 100.0


def _document(n: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} post {i}</title><link>https://blog{n}.example.org/p/{i}</link>"
        f"<guid>https://blog{n}.example.org/?p={i}</guid><pubDate>Mon, {i + 1:02d} Jun 2025 08:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>Post {i} about <b>TensorRT</b> and <a href='/x'>CUDA</a>.</p>"
        f"{'<p>More text.</p>' * 20}]]></description></item>"
        for i in range(ENTRIES)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Blog {n}</title>'
        f"<link>https://blog{n}.example.org/</link><description>d</description>{items}</channel></rss>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    documents: dict[str, bytes] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.documents.get(self.path)
        etag = f'"{self.path}"'
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


def _serve() -> None:
    """The loopback server, in a process of its own so its CPU is not counted as the worker's."""
    _Handler.documents = {f"/f/{n}.xml": _document(n) for n in range(FEEDS)}
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def _measure(base_url: str) -> list[dict[str, object]]:
    """Runs in a child process (the 'worker') whose DATABASE_URL is already set."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tracker.models import Feed, FeedPost, FeedSubscription, ReadingQueueEntry, User
    from tracker.services.feeds import feeds_claim_due, feeds_fetch

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(username="bench", password="x")  # noqa: S106
    Feed.objects.bulk_create(
        Feed(url=f"{base_url}/f/{n}.xml", next_fetch_at=timezone.now() - dt.timedelta(seconds=1)) for n in range(FEEDS)
    )
    FeedSubscription.objects.bulk_create(FeedSubscription(user=user, feed=f) for f in Feed.objects.all())
    rows = []
    for name in ("first (all new)", "steady (all 304)"):
        Feed.objects.update(next_fetch_at=timezone.now() - dt.timedelta(seconds=1))
        cpu, began = time.process_time(), time.perf_counter()
        ids = feeds_claim_due(limit=FEEDS)
        outcomes = []
        size = settings.FEEDS_BATCH_SIZE
        for start in range(0, len(ids), size):  # what the worker does, one batch task after the other
            outcomes += feeds_fetch(feed_ids=ids[start : start + size])
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        entries = sum(o.new_posts for o in outcomes)
        kinds = sorted({o.outcome for o in outcomes})
        rows.append(
            {
                "round": name,
                "database": connection.vendor,
                "feeds": len(outcomes),
                "outcomes": "/".join(kinds),
                "new entries": entries,
                "wall s": f"{wall:.2f}",
                "feeds/s": f"{len(outcomes) / wall:.0f}",
                "CPU ms/feed": f"{cpu * 1000 / max(len(outcomes), 1):.2f}",
                "CPU ms/entry": f"{cpu * 1000 / entries:.2f}" if entries else "-",
                "goal": f"≥ {GOAL_STEADY:.0f} feeds/s" if "steady" in name else "",
            }
        )
    assert FeedPost.objects.count() == FEEDS * ENTRIES  # noqa: S101 - the second round added nothing
    assert ReadingQueueEntry.objects.count() == FEEDS * 3  # noqa: S101 - the daily cap held
    return rows


def main() -> list[dict[str, object]]:
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None  # noqa: S101
        base_url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "FEEDS_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
                "PYTHONPATH": str(ROOT),
                "LOG_LEVEL": "WARNING",
            }
            code = f"import json, bench_feeds as b; print(json.dumps(b._measure({base_url!r})))"
            out = subprocess.run(
                [sys.executable, "-c", code],
                cwd=Path(__file__).parent,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        return list(json.loads(out.strip().splitlines()[-1]))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        _serve()
    else:
        for row in main():
            print(row)
