"""A task goes through a real Celery worker on the real Redis broker and writes to the real database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tracker.models import WorkerHeartbeat
from tracker.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.slow]


def database_url_of_the_test_database() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_through_a_real_worker_on_redis(postgres: None, redis_url: str):
    queue = f"test-{uuid.uuid4().hex[:8]}"  # a queue of its own: never eats anyone else's tasks
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_of_the_test_database(),
        "REDIS_URL": redis_url,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        worker_heartbeat.apply_async(kwargs={"hostname": queue}, queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(hostname=queue).exists():
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else "worker exited"
            time.sleep(0.5)
        assert WorkerHeartbeat.objects.filter(hostname=queue).exists(), "the worker did not run the task in 60 s"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "tracker.tasks.worker_heartbeat" in output and "succeeded" in output
