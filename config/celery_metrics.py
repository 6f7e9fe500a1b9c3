"""Celery's side of the metrics: task run times and outcomes from Celery's signals, and a small HTTP server
in each worker that Prometheus scrapes.

Tasks run in the prefork pool's child processes; with PROMETHEUS_MULTIPROC_DIR set each child writes its
numbers into that directory and the worker's main process serves them all on METRICS_WORKER_PORT (with the
same bearer token as the web server's /metrics). A task killed by its hard time limit is counted as a
failure by the main process, which is why the main process records into the directory too.

Imported by config/celery_app.py, before Django is set up: no models here.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from celery import signals, states
from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.multiprocess import mark_process_dead

from tracker import metrics

logger = logging.getLogger(__name__)

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"

# task id → when it started, in this process (prefork: the child running it).
_started: dict[str, float] = {}


def _queue(task: Any, request: Any = None) -> str:
    """The queue the task came from: the routing key of its delivery (a queue name in this project's
    routing), or the queue its route names when it ran without a broker (eagerly)."""
    request = request if request is not None else getattr(task, "request", None)
    info = getattr(request, "delivery_info", None) or {}
    queue = info.get("routing_key") or info.get("queue")
    if queue:
        return str(queue)
    from django.conf import settings

    route = settings.CELERY_TASK_ROUTES.get(getattr(task, "name", ""), {})
    return str(route.get("queue") or settings.CELERY_TASK_DEFAULT_QUEUE)


def _name(task: Any) -> str:
    return str(getattr(task, "name", None) or "unknown")


@signals.task_prerun.connect
def task_started(sender: Any = None, task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def task_finished(sender: Any = None, task_id: str | None = None, state: str | None = None, **kwargs: Any) -> None:
    """Records the run time of every run, and its outcome unless the failure or retry handler does."""
    started = _started.pop(task_id, None) if task_id else None
    queue = _queue(sender)
    if started is not None:
        metrics.CELERY_TASK_DURATION.labels(_name(sender), queue).observe(time.perf_counter() - started)
    if state not in (states.FAILURE, states.RETRY):
        metrics.CELERY_TASKS.labels(_name(sender), queue, (state or "unknown").lower()).inc()


@signals.task_failure.connect
def task_failed(sender: Any = None, **kwargs: Any) -> None:
    """Also sent by the worker's main process for a task killed by its hard time limit or a lost child."""
    metrics.CELERY_TASKS.labels(_name(sender), _queue(sender), "failure").inc()


@signals.task_retry.connect
def task_retried(sender: Any = None, request: Any = None, **kwargs: Any) -> None:
    metrics.CELERY_TASKS.labels(_name(sender), _queue(sender, request), "retry").inc()


@signals.worker_process_shutdown.connect
def child_exited(pid: int | None = None, **kwargs: Any) -> None:
    """A prefork child is gone: its live gauges (if any) must not be read any more; counters stay."""
    if os.environ.get(MULTIPROC_DIR_ENV):
        mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]


# --- The worker's own HTTP endpoint ---


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every 15 s would flood the worker's log."""


def metrics_wsgi_app(*, token: str, directory: str) -> Callable[..., Iterable[bytes]]:
    """A WSGI app serving the metrics of every process that records into `directory` (or, without one,
    of this process), to requests with the bearer token only."""
    from config.metrics import bearer_token_matches, process_metrics_registry  # Django's web side: import late

    exporter = make_wsgi_app(process_metrics_registry(directory))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        matches = bearer_token_matches(environ.get("HTTP_AUTHORIZATION", ""), token)
        if not matches:
            status = "401 Unauthorized" if matches is None else "403 Forbidden"
            start_response(status, [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')])
            return [b"A valid bearer token is required.\n"]
        return exporter(environ, start_response)  # type: ignore[no-any-return]

    return app


def start_metrics_server(*, port: int, token: str, directory: str, addr: str) -> ThreadingWSGIServer:
    """Serves the worker's metrics on `addr:port` from a daemon thread; returns the server (to shut down)."""
    server = make_server(
        addr, port, metrics_wsgi_app(token=token, directory=directory), ThreadingWSGIServer, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    return server


@signals.worker_init.connect
def worker_metrics_server(sender: Any = None, **kwargs: Any) -> None:
    """In the worker's main process: serves the metrics when METRICS_WORKER_PORT and METRICS_TOKEN are set."""
    from django.conf import settings

    port, token = settings.METRICS_WORKER_PORT, settings.METRICS_TOKEN
    if not port or not token:
        return
    directory = os.environ.get(MULTIPROC_DIR_ENV, "")
    if not directory:
        logger.warning(
            "metrics: %s is not set, so this worker serves only its main process's metrics; the tasks run "
            "in prefork children are missing. Set it to a directory of this worker's own (docs/deploy.md).",
            MULTIPROC_DIR_ENV,
        )
    start_metrics_server(port=port, token=token, directory=directory, addr=settings.METRICS_WORKER_ADDR)
    logger.info("metrics: serving this worker's metrics on port %s", port)
