"""Every Prometheus metric the application exports, defined once, with the one-line calls that record them.

Labels are bounded: a route's name (never its path), a task's name, a queue from the settings, an outcome or
verdict from a fixed list. Nothing here imports Django models or the config package, so the Celery app can
import it before Django is set up and the services can call it without an import cycle.

Under gunicorn and Celery's prefork pool each process records into its own files in PROMETHEUS_MULTIPROC_DIR
(prometheus-client's multiprocess mode; the variable must be set before this module is imported), and a
scrape adds them up (config/metrics.py, config/celery_metrics.py, docs/deploy.md). Without the variable the
metrics live in the process's memory, which is right for `runserver`, a solo worker and the tests.

The gauges computed when Prometheus scrapes (queue lengths, the last heartbeat's age) are named here too;
config/metrics.py computes them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from prometheus_client import Counter, Histogram

if TYPE_CHECKING:
    from tracker.models import Submission

# --- HTTP (recorded by config.metrics.RequestMetricsMiddleware) ---

HTTP_REQUEST_DURATION = Histogram(
    "brainqueue_http_request_duration_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
HTTP_REQUEST_QUERIES = Histogram(
    "brainqueue_http_request_db_queries",
    "Database queries made while answering one request, by route name.",
    ["route"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144),
)

# --- Celery (recorded by the signal handlers in config/celery_metrics.py) ---

CELERY_TASK_DURATION = Histogram(
    "brainqueue_celery_task_duration_seconds",
    "Run time of a task in the worker, by task and queue.",
    ["task", "queue"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)
CELERY_TASKS = Counter(
    "brainqueue_celery_tasks",
    "Tasks finished, by task, queue and outcome (success, failure, retry, ignored, rejected).",
    ["task", "queue", "outcome"],
)

# --- Domain events (one-line calls from the services and the e-mail backend) ---

GRADING_LATENCY = Histogram(
    "brainqueue_grading_latency_seconds",
    "From a submission being sent to its first result being saved (queue wait and grading), by kind.",
    ["kind"],
    buckets=(0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)
GRADING_VERDICTS = Counter(
    "brainqueue_grading_verdicts",
    "Grading results saved, by kind (run or submit) and verdict.",
    ["kind", "verdict"],
)
FEED_FETCHES = Counter(
    "brainqueue_feed_fetches",
    "Feed fetches recorded, by outcome (ok, not_modified, gone, throttled, http_error, too_large, refused, "
    "network_error).",
    ["outcome"],
)
EMAILS = Counter(
    "brainqueue_emails",
    "E-mail messages handed to the mail server, by outcome (sent or failed).",
    ["outcome"],
)

# --- Computed at scrape time by config.metrics.OperationsCollector (gauges, no files) ---

QUEUE_LENGTH = "brainqueue_celery_queue_length"
BROKER_UP = "brainqueue_celery_broker_up"
HEARTBEAT_AGE = "brainqueue_worker_heartbeat_age_seconds"

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def status_class(status: int) -> str:
    """200 → "2xx": five values instead of dozens of codes."""
    return f"{status // 100}xx"


def http_request_observed(*, route: str, method: str, status: int, seconds: float, queries: int) -> None:
    method = method if method in HTTP_METHODS else "other"  # a client can send any word as a method
    HTTP_REQUEST_DURATION.labels(route, method, status_class(status)).observe(seconds)
    HTTP_REQUEST_QUERIES.labels(route).observe(queries)


def grading_recorded(*, submission: Submission, verdict: str, finished_at: dt.datetime) -> None:
    """A grading result was saved. The latency counts only a submission's first result: a re-grade's
    `created_at` is old, and would read as a slow grader."""
    GRADING_VERDICTS.labels(str(submission.kind), verdict).inc()
    if submission.finished_at is None:
        seconds = (finished_at - submission.created_at).total_seconds()
        GRADING_LATENCY.labels(str(submission.kind)).observe(max(seconds, 0.0))


def feed_fetch_recorded(*, outcome: str) -> None:
    FEED_FETCHES.labels(outcome).inc()


def emails_recorded(*, sent: int, failed: int) -> None:
    if sent:
        EMAILS.labels("sent").inc(sent)
    if failed:
        EMAILS.labels("failed").inc(failed)
