"""Real Celery workers for the end-to-end tests: a subprocess against the test database and the real Redis.

Each test gives its worker a queue of its own, so it never takes anyone else's tasks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url_of_the_test_database() -> str:
    """The URL of the database this test run created, for a worker process to use."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker on the test database and `redis_url`, plus `extra` settings."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_of_the_test_database(),
        "REDIS_URL": redis_url,
        **extra,
    }


def start_worker(
    queue: str,
    env: dict[str, str],
    *,
    hostname: str | None = None,
    pool: Sequence[str] = ("--pool", "solo"),
    extra: Sequence[str] = (),
    capture: bool = True,
) -> subprocess.Popen[str]:
    """Starts `celery worker` on `queue`; its output is kept for `stop_worker` unless `capture` is off."""
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *pool, "--queues", queue,
         "--hostname", f"{hostname or queue}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
         *extra],
        cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if capture else subprocess.DEVNULL, text=True,
    )  # fmt: skip


def stop_worker(worker: subprocess.Popen[str]) -> str:
    """Stops the worker (warm shutdown, then a kill) and returns what it printed."""
    if worker.poll() is None:
        worker.terminate()
    try:
        output = worker.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        worker.kill()
        output = worker.communicate()[0]
    return output or ""


def wait_for(
    condition: Callable[[], bool], worker: subprocess.Popen[str] | None, what: str, seconds: float = 60
) -> None:
    """Polls `condition` until it holds; fails naming `what` after `seconds`, or at once if the worker died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited before it could {what}:\n{stop_worker(worker)[-3000:]}")
        time.sleep(0.3)
    pytest.fail(f"the worker did not {what} in {seconds} s")
