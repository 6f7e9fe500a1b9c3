"""Each kind of work has its own queue, and a worker killed mid-task loses nothing.

The second test starts real worker processes on the real Redis: two workers on different queues each run
only their own queue's tasks; a worker killed with SIGKILL in the middle of a task (acks late) leaves the
task unacknowledged, and a worker started in its place runs it once, after the broker's visibility timeout.
It reads the broker's own bookkeeping (kombu's Redis transport keeps each unacknowledged message in the
`unacked` hash, keyed by delivery tag, and when it was delivered in the `unacked_index` sorted set) to know
when the task is due again and when no copy of it is left to deliver.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

from config.celery_app import app
from tests.waiting import wait_until
from tests.workers import start_worker, stop_worker, wait_for, wait_until_ready, worker_env
from tracker.services.probes import probe_keys
from tracker.tasks import probe_sleep

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3  # seconds, for the workers this test starts (CELERY_VISIBILITY_TIMEOUT)


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("tracker.tasks.feeds_fetch_batch", "FEEDS_QUEUE"),
        ("tracker.tasks.feeds_dispatch", "FEEDS_QUEUE"),
        ("tracker.tasks.reminders_send_batch", "EMAIL_QUEUE"),
        ("tracker.tasks.grade_submission", "GRADING_QUEUE"),
        ("tracker.tasks.replans_dispatch", "PLANNING_QUEUE"),
        ("tracker.tasks.replans_run_batch", "PLANNING_QUEUE"),
        ("tracker.tasks.worker_heartbeat", None),
        ("tracker.tasks.probe_sleep", None),
    ],
)
def test_each_kind_of_task_is_routed_to_its_queue(task, queue):
    expected = getattr(settings, queue) if queue else settings.CELERY_TASK_DEFAULT_QUEUE
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == expected


def test_the_gpu_queue_is_reserved_and_make_run_consumes_every_other_queue():
    assert settings.GPU_QUEUE == "gpu" and "gpu" in settings.WORK_QUEUES
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    worker_line = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    consumed = set(worker_line.split("--queues ")[1].split()[0].split(","))
    assert consumed == set(settings.WORK_QUEUES) - {"gpu"}


@pytest.fixture
def worker_factory(redis_url: str) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    env = worker_env(redis_url, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))

    def start(queue: str, name: str, *, ready: bool = True) -> subprocess.Popen[str]:
        worker = start_worker(queue, env, hostname=name, extra=("--without-heartbeat",), capture=False, ready=ready)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        stop_worker(worker)


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_workers_run_only_their_queues_and_a_killed_workers_task_is_done_once_by_another(
    postgres: None, redis_url: str, worker_factory: Callable[..., subprocess.Popen[str]]
):
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    run = uuid.uuid4().hex[:8]
    queue_a, queue_b = f"test-a-{run}", f"test-b-{run}"  # queues of their own: never anyone else's tasks
    store = redis.Redis.from_url(redis_url, decode_responses=True)

    def count(key: str, what: str) -> int:
        return int(store.get(probe_keys(key)[what]) or 0)

    def workers(key: str) -> list[str]:
        return store.lrange(probe_keys(key)["workers"], 0, -1)

    def unacked(task_id: str) -> list[float]:
        """When each unacknowledged delivery of the task was delivered (a time.time() of the worker's)."""
        tags = [tag for tag, message in store.hscan_iter("unacked") if task_id in message]
        return [store.zscore("unacked_index", tag) or 0.0 for tag in tags]

    def queued(task_id: str) -> int:
        """Copies of the task waiting in queue A's lists (one per priority step)."""
        lists = [key for key in store.scan_iter(match=f"{queue_a}*") if store.type(key) == "list"]
        return sum(task_id in message for key in lists for message in store.lrange(key, 0, -1))

    # Both start at once; each answers a ping before the first probe is sent.
    worker_a = worker_factory(queue_a, f"a-{run}", ready=False)
    worker_b = worker_factory(queue_b, f"b-{run}", ready=False)
    wait_until_ready(worker_a, f"a-{run}")
    wait_until_ready(worker_b, f"b-{run}")

    # Routing: each probe is run by the worker of its queue, and only by it.
    for queue in (queue_a, queue_b):
        probe_sleep.apply_async(kwargs={"key": f"{run}-{queue}"}, queue=queue)
    for queue, name in ((queue_a, "a"), (queue_b, "b")):
        wait_for(lambda q=queue: count(f"{run}-{q}", "done") == 1, None, f"run the probe on {queue}", 90)
        assert [w.split("@")[0] for w in workers(f"{run}-{queue}")] == [f"{name}-{run}"]

    # A slow task on queue A; worker A is killed while it runs it.
    slow = f"{run}-slow"
    task_id = probe_sleep.apply_async(kwargs={"key": slow, "seconds": 4}, queue=queue_a).id
    wait_for(lambda: count(slow, "started") == 1, None, "start the slow task (worker A)", 60)
    os.kill(worker_a.pid, signal.SIGKILL)
    worker_a.wait(timeout=30)
    assert count(slow, "done") == 0, "the killed worker cannot have finished the task"
    assert len(unacked(task_id)) == 1, "the broker keeps the killed worker's task, unacknowledged"

    # The broker hands an unacknowledged task out again once it is older than the visibility timeout, when a
    # worker starts (kombu's restore_visible); a new worker started before then would not get it for minutes.
    wait_until(
        lambda: all(time.time() - delivered > VISIBILITY_TIMEOUT for delivered in unacked(task_id)),
        timeout=60,
        what="the killed worker's task to outlive the broker's visibility timeout",
    )
    worker_factory(queue_a, f"a2-{run}")
    wait_for(lambda: count(slow, "done") == 1, None, "do the killed worker's task (restarted worker)", 90)
    # Once acknowledged, no copy is left in the broker, unacknowledged or queued: nothing can deliver it again.
    wait_until(
        lambda: not unacked(task_id) and not queued(task_id),
        timeout=60,
        what="the restarted worker to acknowledge the task",
        detail=lambda: f"unacknowledged {unacked(task_id)}, queued {queued(task_id)}",
    )
    assert count(slow, "done") == 1
    assert count(slow, "started") == 2
    assert [w.split("@")[0] for w in workers(slow)] == [f"a-{run}", f"a2-{run}"]
    store.delete(*[k for key in (slow, f"{run}-{queue_a}", f"{run}-{queue_b}") for k in probe_keys(key).values()])
