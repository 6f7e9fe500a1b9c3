"""`make load`, briefly: five seconds with five clients against gunicorn on PostgreSQL and Redis, which must
answer every request as expected, on every endpoint of the load test, and leave no database behind."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.slow]

ENDPOINTS = {
    "GET /api/v1/today/",
    "GET /api/v1/today/ (refresh, If-None-Match)",
    "POST /api/v1/progress/{item}/done/",
    "POST /api/v1/progress/{item}/done/ (retry, replayed)",
    "GET /api/v1/plan/",
    "GET /api/v1/reading/",
    "GET /api/v1/feeds/posts/",
    "GET / (web, Today)",
    "GET /plan/ (web)",
    "GET /progress/ (web)",
}


def test_a_short_load_test_answers_every_request_on_every_endpoint(postgres: None, redis_url: str, tmp_path: Path):
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    server = (
        f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    )
    # Named after this run's database and made unique, so it is never anyone else's, nor a `make load` running.
    database = f"{db['NAME']}_load_{uuid.uuid4().hex[:8]}"
    out = tmp_path / "load.json"
    subprocess.run(
        [sys.executable, "bench/load_test.py", "--seconds", "5", "--mobile", "4", "--web", "1", "--learners", "8",
         "--workers", "2", "--database-url", f"{server}/{database}", "--redis-url", redis_url, "--json", str(out)],
        cwd=ROOT, check=False, timeout=600,
    )  # fmt: skip
    result = json.loads(out.read_text())

    assert result["errors"] == 0, result["first_errors"]
    seen = {row["endpoint"]: row for row in result["endpoints"]}
    assert set(seen) == ENDPOINTS
    assert all(row["requests"] > 0 for row in seen.values())
    # The refresh with the ETag is answered 304 (nothing changed); the retried POST replays the first answer.
    assert seen["GET /api/v1/today/ (refresh, If-None-Match)"]["statuses"] == {"304": seen[
        "GET /api/v1/today/ (refresh, If-None-Match)"]["requests"]}  # fmt: skip
    assert result["database_connections_max"] >= 1
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        left = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    assert left is None, "the load test left its database behind"
