"""/metrics for Prometheus: the request middleware, the scrape-time gauges and the token-protected view.

The metrics themselves are defined in tracker/metrics.py. The endpoint is off (404) until METRICS_TOKEN is
set; then a scrape must send `Authorization: Bearer <token>` (401 without it, 403 with another token).

Under gunicorn (several processes) PROMETHEUS_MULTIPROC_DIR makes every process write its metrics into
that directory, and a scrape, whichever process answers it, reads them all. Queue lengths and the age of
the last worker heartbeat are computed during the scrape, from the broker and the database.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from tracker import metrics

logger = logging.getLogger(__name__)

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
# kombu's Redis transport keeps a queue's messages of priority N (3, 6, 9) in a list of its own.
KOMBU_PRIORITY_STEPS = (0, 3, 6, 9)
KOMBU_PRIORITY_SEP = "\x06\x16"


# --- Recording requests ---


class _QueryCounter:
    """A database execute wrapper that counts the queries it lets through; it adds none."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def route_label(request: HttpRequest) -> str:
    """The URL pattern's name (`frontend:today`), or its route when it has none; never the path itself,
    which would make a label value per learner, item or token."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Nothing was resolved: WhiteNoise answered for a static file, or no pattern matched (a 404).
        static = "/" + settings.STATIC_URL.lstrip("/")
        return "static" if request.path.startswith(static) else "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestMetricsMiddleware:
    """Times every request and counts its database queries, labelled by route name and status class.

    First in MIDDLEWARE, so the time includes the other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = _QueryCounter()
        start = time.perf_counter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        metrics.http_request_observed(
            route=route_label(request),
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - start,
            queries=queries.count,
        )
        return response


# --- Scraping ---


def monitored_queues() -> list[str]:
    """Every queue the application sends work to: WORK_QUEUES, the routes' queues and the default one."""
    routed = {str(route["queue"]) for route in settings.CELERY_TASK_ROUTES.values() if "queue" in route}
    return sorted({*settings.WORK_QUEUES, *routed, settings.CELERY_TASK_DEFAULT_QUEUE})


def queue_lengths(client: redis.Redis, queues: list[str], *, key_prefix: str = "") -> dict[str, int]:
    """Messages waiting in each queue: the lengths of its Redis lists (one per priority step), added up."""
    pipe = client.pipeline(transaction=False)
    for queue in queues:
        for step in KOMBU_PRIORITY_STEPS:
            pipe.llen(f"{key_prefix}{queue}{KOMBU_PRIORITY_SEP}{step}" if step else f"{key_prefix}{queue}")
    sizes = iter(pipe.execute())
    return {queue: sum(int(next(sizes)) for _ in KOMBU_PRIORITY_STEPS) for queue in queues}


class OperationsCollector(Collector):
    """Gauges computed at each scrape: queue lengths (on a Redis broker only; the filesystem broker of
    `make run` reports none) and the age of the newest worker heartbeat (none before the first)."""

    def collect(self) -> Iterator[Metric]:
        yield from self._queues()
        yield from self._heartbeat()

    def _queues(self) -> Iterator[Metric]:
        if not settings.REDIS_URL:
            return  # the filesystem broker of `make run`: no lengths to read
        up = GaugeMetricFamily(metrics.BROKER_UP, "1 when the Redis broker answered this scrape, else 0.")
        options: Mapping[str, Any] = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            lengths = queue_lengths(client, monitored_queues(), key_prefix=str(options.get("global_keyprefix", "")))
        except redis.RedisError as exc:
            logger.warning("metrics: could not read the queue lengths: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        finally:
            client.close()
        up.add_metric([], 1)
        yield up
        family = GaugeMetricFamily(metrics.QUEUE_LENGTH, "Tasks waiting in each Celery queue.", labels=["queue"])
        for queue, length in lengths.items():
            family.add_metric([queue], length)
        yield family

    def _heartbeat(self) -> Iterator[Metric]:
        from tracker.models import WorkerHeartbeat  # the Celery app imports this module's neighbours early

        try:
            newest = WorkerHeartbeat.objects.aggregate(newest=Max("seen_at"))["newest"]
        except DatabaseError as exc:
            logger.warning("metrics: could not read the worker heartbeats: %s", exc)
            return
        if newest is not None:
            age = (timezone.now() - newest).total_seconds()
            yield GaugeMetricFamily(
                metrics.HEARTBEAT_AGE, "Seconds since a worker last ran the heartbeat task.", value=max(age, 0.0)
            )


class _Forward(Collector):
    """Exposes another registry's metrics (this process's, when there is no multiprocess directory)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def process_metrics_registry(directory: str | None = None) -> CollectorRegistry:
    """The metrics every process recorded (the multiprocess directory's files, when it is set), or this
    process's own."""
    directory = directory if directory is not None else os.environ.get(MULTIPROC_DIR_ENV, "")
    registry = CollectorRegistry(auto_describe=False)
    if directory:
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(REGISTRY))
    return registry


def bearer_token_matches(header: str, token: str) -> bool | None:
    """None when `header` carries no bearer token, else whether it is `token` (compared in constant time)."""
    scheme, _, given = header.partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        return None
    return hmac.compare_digest(given.encode(), token.encode())


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse("Not found\n", status=404, content_type="text/plain")  # off: as if there were no page
    matches = bearer_token_matches(request.headers.get("Authorization", ""), token)
    if matches is None:
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not matches:
        return HttpResponse("Wrong token.\n", status=403, content_type="text/plain")
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    registry = process_metrics_registry()
    registry.register(OperationsCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
