"""Real Celery workers for the end-to-end tests: a subprocess against the test database and the real Redis.

Each test gives its worker a queue of its own, so it never takes anyone else's tasks. `start_worker` returns
once the worker answers a ping (remote control over the broker), so a test's deadlines count the work it
waits for, not the worker's start.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from django.db import connection

from config.celery_app import app
from tests.waiting import wait_until
from tracker.models import WorkerHeartbeat
from tracker.tasks import worker_heartbeat

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


def node_name(hostname: str) -> str:
    """The node name of a worker started with `--hostname {hostname}@%h`."""
    return f"{hostname}@{socket.gethostname()}"


def start_worker(
    queue: str,
    env: dict[str, str],
    *,
    hostname: str | None = None,
    pool: Sequence[str] = ("--pool", "solo"),
    extra: Sequence[str] = (),
    capture: bool = True,
    ready: bool = True,
) -> subprocess.Popen[str]:
    """Starts `celery worker` on `queue` and, unless `ready` is off, returns once it answers a ping (see
    `wait_until_ready`). Its output is kept for `stop_worker` unless `capture` is off."""
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *pool, "--queues", queue,
         "--hostname", f"{hostname or queue}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
         *extra],
        cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if capture else subprocess.DEVNULL, text=True,
    )  # fmt: skip
    if ready:
        try:
            wait_until_ready(worker, hostname or queue)
        except BaseException:
            stop_worker(worker)
            raise
    return worker


def wait_until_ready(worker: subprocess.Popen[str], hostname: str, seconds: float = 120) -> None:
    """Returns once the worker named `hostname` answers a ping: it consumes from the broker and takes tasks."""
    wait_until(
        lambda: app.control.ping(destination=[node_name(hostname)], timeout=1.0),
        timeout=seconds,
        interval=0.2,
        what=f"the worker {hostname} to answer a ping",
        give_up=lambda: exited(worker),
    )


def exited(worker: subprocess.Popen[str] | None) -> str | None:
    """None while the worker runs; once it has exited, that and the end of what it printed."""
    if worker is None or worker.poll() is None:
        return None
    return f"the worker exited ({worker.returncode}):\n{stop_worker(worker)[-3000:]}"


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
    condition: Callable[[], object], worker: subprocess.Popen[str] | None, what: str, seconds: float = 60
) -> None:
    """Polls `condition` until it holds; fails naming `what` after `seconds`, or at once if the worker died."""
    wait_until(condition, timeout=seconds, interval=0.2, what=f"the worker to {what}", give_up=lambda: exited(worker))


def wait_until_worked_off(worker: subprocess.Popen[str], queue: str, *, rounds: int = 1, seconds: float = 60) -> None:
    """Returns once `worker` has run every task sent to `queue` before the call (not retries it put off).

    A solo worker takes its queue in order, so a heartbeat task sent now runs after all of them; each further
    round also covers the tasks that the tasks of the round before sent (a dispatcher's batches)."""
    for _ in range(rounds):
        marker = f"worked-off-{uuid.uuid4().hex[:8]}"
        worker_heartbeat.apply_async(kwargs={"hostname": marker}, queue=queue)
        wait_for(
            lambda marker=marker: WorkerHeartbeat.objects.filter(hostname=marker).exists(),
            worker,
            f"work off the tasks sent to {queue}",
            seconds,
        )
