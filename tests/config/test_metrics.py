"""/metrics: off without a token, guarded by it, and what a scrape shows (requests by route name, query counts,
queue lengths from the broker, the age of the last worker heartbeat)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import redis
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import metrics as config_metrics
from tests.factories import TrackFactory, UserFactory
from tests.metrics_support import Samples, parse, sample, value
from tracker.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-" + "x" * 20


@pytest.fixture
def token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client) -> Samples:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return parse(response.content.decode())


def test_the_endpoint_is_off_without_a_token(client: Client, settings) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_a_scrape_needs_the_right_bearer_token(client: Client, token: str) -> None:
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}x").status_code == 403
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_the_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = config_metrics.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(config_metrics.hmac, "compare_digest", spy)
    assert config_metrics.bearer_token_matches("Bearer abc", "abd") is False
    assert config_metrics.bearer_token_matches("bearer  abc ", "abc") is True
    assert config_metrics.bearer_token_matches("Token abc", "abc") is None
    assert compared == [(b"abc", b"abd"), (b"abc", b"abc")]


def test_a_request_is_labelled_by_its_route_name_and_status_class_never_its_path(client: Client, token: str) -> None:
    track = TrackFactory()
    client.force_login(UserFactory())
    labels = {"route": "frontend:track", "method": "GET", "status": "2xx"}
    before = value("brainqueue_http_request_duration_seconds_count", **labels)
    assert client.get(f"/tracks/{track.pk}/").status_code == 200
    assert value("brainqueue_http_request_duration_seconds_count", **labels) == before + 1
    assert client.get(f"/no-such-page-{track.pk}/").status_code == 404

    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
    samples = parse(text)
    assert sample(samples, "brainqueue_http_request_duration_seconds_count", **labels) == before + 1
    unmatched = {"route": "unmatched", "method": "GET", "status": "4xx"}
    assert (sample(samples, "brainqueue_http_request_duration_seconds_count", **unmatched) or 0) >= 1
    assert f"/tracks/{track.pk}/" not in text and f"no-such-page-{track.pk}" not in text


def test_a_made_up_method_is_not_a_label_value(client: Client) -> None:
    before = value("brainqueue_http_request_duration_seconds_count", route="healthz", method="other", status="4xx")
    client.generic("BREW", "/healthz")
    after = value("brainqueue_http_request_duration_seconds_count", route="healthz", method="other", status="4xx")
    assert after == before + 1


def test_the_query_histogram_counts_exactly_the_queries_of_a_request(client: Client) -> None:
    track = TrackFactory()
    client.force_login(UserFactory())
    count_before = value("brainqueue_http_request_db_queries_count", route="frontend:track")
    sum_before = value("brainqueue_http_request_db_queries_sum", route="frontend:track")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/tracks/{track.pk}/").status_code == 200
    assert len(queries) > 0
    assert value("brainqueue_http_request_db_queries_count", route="frontend:track") == count_before + 1
    assert value("brainqueue_http_request_db_queries_sum", route="frontend:track") == sum_before + len(queries)


def test_the_middleware_comes_first_so_it_times_the_others(settings) -> None:
    assert settings.MIDDLEWARE[0] == "config.metrics.RequestMetricsMiddleware"


def test_the_heartbeat_age_is_computed_at_scrape_time(client: Client, token: str, settings) -> None:
    settings.REDIS_URL = ""
    assert sample(scrape(client), "brainqueue_worker_heartbeat_age_seconds") is None  # no worker ever ran
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC), tick=False):
        WorkerHeartbeat.objects.create(hostname="old@host", seen_at=timezone.now() - dt.timedelta(minutes=30))
        WorkerHeartbeat.objects.create(hostname="new@host", seen_at=timezone.now() - dt.timedelta(seconds=90))
        assert sample(scrape(client), "brainqueue_worker_heartbeat_age_seconds") == 90.0
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, 10, tzinfo=dt.UTC), tick=False):
        assert sample(scrape(client), "brainqueue_worker_heartbeat_age_seconds") == 690.0


def test_there_are_no_queue_lengths_on_the_filesystem_broker(client: Client, token: str, settings) -> None:
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "filesystem://"
    names = {name for name, _ in scrape(client)}
    assert "brainqueue_celery_queue_length" not in names and "brainqueue_celery_broker_up" not in names


def test_an_unreachable_broker_reads_as_down(client: Client, token: str, settings) -> None:
    settings.REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    samples = scrape(client)
    assert sample(samples, "brainqueue_celery_broker_up") == 0
    assert not [name for name, _ in samples if name == "brainqueue_celery_queue_length"]


def test_the_monitored_queues_are_the_work_queues_the_routes_and_the_default(settings) -> None:
    settings.WORK_QUEUES = ("default", "feeds")
    settings.CELERY_TASK_ROUTES = {"tracker.tasks.grade_submission": {"queue": "grading"}}
    settings.CELERY_TASK_DEFAULT_QUEUE = "test-q"
    assert config_metrics.monitored_queues() == ["default", "feeds", "grading", "test-q"]


@pytest.mark.services
def test_queue_lengths_are_read_from_the_redis_broker(client: Client, token: str, settings, redis_url: str) -> None:
    names = [f"metrics-{uuid.uuid4().hex[:8]}-{n}" for n in range(2)]
    settings.CELERY_BROKER_URL = redis_url
    settings.WORK_QUEUES = tuple(names)
    settings.CELERY_TASK_ROUTES = {}
    settings.CELERY_TASK_DEFAULT_QUEUE = names[0]
    broker = redis.Redis.from_url(redis_url)
    try:
        broker.lpush(names[0], *[b"task"] * 3)
        broker.lpush(f"{names[0]}\x06\x169", b"urgent task")  # kombu's list for priority 9
        samples = scrape(client)
    finally:
        broker.delete(names[0], f"{names[0]}\x06\x169")
        broker.close()
    assert sample(samples, "brainqueue_celery_broker_up") == 1
    assert sample(samples, "brainqueue_celery_queue_length", queue=names[0]) == 4
    assert sample(samples, "brainqueue_celery_queue_length", queue=names[1]) == 0
