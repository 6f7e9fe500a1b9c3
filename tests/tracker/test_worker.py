"""A task goes through a real Celery worker on the real Redis broker and writes to the real database."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from tests.workers import start_worker, stop_worker, wait_for, worker_env
from tracker.models import WorkerHeartbeat
from tracker.tasks import worker_heartbeat

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_through_a_real_worker_on_redis(postgres: None, redis_url: str):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, worker_env(redis_url))
    try:
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        worker_heartbeat.apply_async(kwargs={"hostname": queue}, queue=queue)
        wait_for(lambda: WorkerHeartbeat.objects.filter(hostname=queue).exists(), worker, "run the task")
    finally:
        output = stop_worker(worker)
    assert "tracker.tasks.worker_heartbeat" in output and "succeeded" in output
