"""Task run times and outcomes from Celery's signals, by task and queue."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from celery import shared_task

from config import celery_metrics
from tests.metrics_support import value
from tracker.tasks import feeds_fetch_batch, worker_heartbeat

HEARTBEAT = "tracker.tasks.worker_heartbeat"


@shared_task(name="tests.config.test_celery_metrics.explode")
def explode() -> None:
    raise ValueError("this task always fails")


@pytest.mark.django_db
def test_a_task_run_records_its_time_and_success_on_its_queue(settings) -> None:
    queue = settings.CELERY_TASK_DEFAULT_QUEUE  # the heartbeat has no route: the default queue
    runs = value("brainqueue_celery_task_duration_seconds_count", task=HEARTBEAT, queue=queue)
    ok = value("brainqueue_celery_tasks_total", task=HEARTBEAT, queue=queue, outcome="success")
    worker_heartbeat.apply(kwargs={"hostname": "metrics@test"}).get()
    assert value("brainqueue_celery_task_duration_seconds_count", task=HEARTBEAT, queue=queue) == runs + 1
    assert value("brainqueue_celery_tasks_total", task=HEARTBEAT, queue=queue, outcome="success") == ok + 1


def test_a_failing_task_counts_as_a_failure_and_once_only(settings) -> None:
    name, queue = explode.name, settings.CELERY_TASK_DEFAULT_QUEUE
    failed = value("brainqueue_celery_tasks_total", task=name, queue=queue, outcome="failure")
    result = explode.apply()
    assert result.failed()
    assert value("brainqueue_celery_tasks_total", task=name, queue=queue, outcome="failure") == failed + 1
    assert value("brainqueue_celery_task_duration_seconds_count", task=name, queue=queue) >= 1
    assert value("brainqueue_celery_tasks_total", task=name, queue=queue, outcome="success") == 0


def test_the_queue_is_the_delivery_routing_key_else_the_route() -> None:
    delivered = SimpleNamespace(name="tracker.tasks.feeds_fetch_batch", request=SimpleNamespace(delivery_info={}))
    delivered.request.delivery_info = {"routing_key": "feeds-eu", "exchange": ""}
    assert celery_metrics._queue(delivered) == "feeds-eu"
    eager = SimpleNamespace(name=feeds_fetch_batch.name, request=SimpleNamespace(delivery_info={"is_eager": True}))
    assert celery_metrics._queue(eager) == "feeds"


def test_retries_and_a_hard_time_limit_in_the_main_process_are_counted() -> None:
    task = SimpleNamespace(name="tracker.tasks.grade_submission", request=None)
    labels = {"task": "tracker.tasks.grade_submission", "queue": "grading"}
    retries = value("brainqueue_celery_tasks_total", **labels, outcome="retry")
    failures = value("brainqueue_celery_tasks_total", **labels, outcome="failure")
    celery_metrics.task_retried(sender=task, request=SimpleNamespace(delivery_info={"routing_key": "grading"}))
    # The worker's main process sends task_failure for a child killed at the hard limit; no postrun follows.
    celery_metrics.task_failed(sender=task, task_id="abc", exception=TimeoutError())
    assert value("brainqueue_celery_tasks_total", **labels, outcome="retry") == retries + 1
    assert value("brainqueue_celery_tasks_total", **labels, outcome="failure") == failures + 1


def test_a_rejected_or_ignored_task_is_counted_by_its_state() -> None:
    request = SimpleNamespace(delivery_info={"routing_key": "q"})
    task = SimpleNamespace(name="tracker.tasks.probe_sleep", request=request)
    before = value("brainqueue_celery_tasks_total", task=task.name, queue="q", outcome="ignored")
    celery_metrics.task_started(sender=task, task_id="t-1")
    celery_metrics.task_finished(sender=task, task_id="t-1", state="IGNORED")
    assert value("brainqueue_celery_tasks_total", task=task.name, queue="q", outcome="ignored") == before + 1
    assert "t-1" not in celery_metrics._started
