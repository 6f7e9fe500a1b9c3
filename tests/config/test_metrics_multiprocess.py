"""Several processes, one scrape: prometheus-client's multiprocess mode as gunicorn's workers and Celery's prefork
children use it, the worker's own endpoint, and the gunicorn hooks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

from config import gunicorn_conf
from config.celery_metrics import start_metrics_server
from tests.metrics_support import Samples, parse, sample
from tests.workers import start_worker, stop_worker, wait_for, worker_env
from tracker.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "multiprocess-token-" + "y" * 16

# What one web or worker process records: a request, a feed fetch and a task, with the directory set before
# prometheus-client is imported, as the environment of gunicorn or a worker sets it.
RECORD = """
from tracker import metrics
metrics.http_request_observed(route="frontend:home", method="GET", status=200, seconds=0.2, queries=4)
metrics.feed_fetch_recorded(outcome="not_modified")
metrics.CELERY_TASKS.labels("tracker.tasks.feeds_fetch_batch", "feeds", "success").inc()
"""


def record_in_processes(directory: Path, count: int) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    processes = [subprocess.Popen([sys.executable, "-c", RECORD], cwd=ROOT, env=env) for _ in range(count)]
    assert [p.wait(timeout=60) for p in processes] == [0] * count


@pytest.fixture
def two_processes(tmp_path: Path) -> Path:
    record_in_processes(tmp_path, 2)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
    return tmp_path


def assert_both_processes_seen(samples: Samples) -> None:
    labels = {"route": "frontend:home", "method": "GET", "status": "2xx"}
    assert sample(samples, "brainqueue_http_request_duration_seconds_count", **labels) == 2
    assert sample(samples, "brainqueue_http_request_db_queries_sum", route="frontend:home") == 8
    assert sample(samples, "brainqueue_feed_fetches_total", outcome="not_modified") == 2
    task = {"task": "tracker.tasks.feeds_fetch_batch", "queue": "feeds", "outcome": "success"}
    assert sample(samples, "brainqueue_celery_tasks_total", **task) == 2


@pytest.mark.django_db
def test_one_web_scrape_adds_up_every_process(
    two_processes: Path, client: Client, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.METRICS_TOKEN = TOKEN
    settings.REDIS_URL = ""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(two_processes))
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert_both_processes_seen(parse(response.content.decode()))


@pytest.fixture
def worker_server(two_processes: Path) -> Iterator[str]:
    server = start_metrics_server(port=0, token=TOKEN, directory=str(two_processes), addr="127.0.0.1")
    try:
        yield f"http://127.0.0.1:{server.server_port}/metrics"
    finally:
        server.shutdown()
        server.server_close()


def get(url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:  # not listening yet
        return 0, ""


def test_a_workers_endpoint_serves_its_processes_to_the_token_only(worker_server: str) -> None:
    assert get(worker_server)[0] == 401
    assert get(worker_server, "wrong")[0] == 403
    status, text = get(worker_server, TOKEN)
    assert status == 200
    assert_both_processes_seen(parse(text))


def test_gunicorn_empties_the_directory_at_start_and_forgets_dead_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "prometheus"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    gunicorn_conf.on_starting(server=None)  # creates it
    (directory / "counter_123.db").write_bytes(b"left over from the last run")
    (directory / "gauge_livesum_456.db").write_bytes(b"")
    gunicorn_conf.child_exit(server=None, worker=SimpleNamespace(pid=456))
    assert sorted(p.name for p in directory.iterdir()) == ["counter_123.db"]
    gunicorn_conf.on_starting(server=None)
    assert list(directory.iterdir()) == []


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_prefork_workers_children_are_scraped_from_its_main_process(
    postgres: None, redis_url: str, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a free port for the worker's endpoint
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    queue = f"test-metrics-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        redis_url,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
        METRICS_TOKEN=TOKEN,
        METRICS_WORKER_PORT=str(port),
        METRICS_WORKER_ADDR="127.0.0.1",
    )
    worker = start_worker(queue, env, pool=("--pool", "prefork", "--concurrency", "2"))
    url = f"http://127.0.0.1:{port}/metrics"
    labels = {"task": "tracker.tasks.worker_heartbeat", "queue": queue, "outcome": "success"}

    def succeeded() -> float:
        status, text = get(url, TOKEN)
        return (sample(parse(text), "brainqueue_celery_tasks_total", **labels) or 0) if status == 200 else -1

    try:
        wait_for(lambda: get(url, TOKEN)[0] == 200, worker, "serve its metrics")
        for n in range(4):
            worker_heartbeat.apply_async(kwargs={"hostname": f"{queue}-{n}"}, queue=queue)
        wait_for(lambda: succeeded() == 4, worker, "count four tasks run in its children")
    finally:
        stop_worker(worker)
    assert any(tmp_path.glob("histogram_*.db"))  # the children wrote files; the main process served them
