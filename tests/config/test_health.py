"""/healthz: 200 when the database, Redis and a recent worker heartbeat are there, 503 naming what is not."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from config import health
from config.logs import JsonFormatter, RequestIdFilter
from tracker.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_heartbeat() -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(hostname="worker@host", seen_at=timezone.now() - dt.timedelta(seconds=30))


def healthz(client: Client, query: str = "") -> tuple[int, dict[str, object]]:
    response = client.get(f"/healthz{query}")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def test_healthz_is_200_when_everything_is_up(client, settings, fresh_heartbeat):
    settings.REDIS_URL = ""
    status, body = healthz(client)
    assert status == 200
    assert body["status"] == "ok" and body["down"] == []
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert checks["database"]["ok"] is True
    assert checks["redis"] == {"ok": True, "detail": "not configured"}
    assert checks["worker"]["ok"] is True and "worker@host" in checks["worker"]["detail"]


def test_healthz_needs_no_session_and_sets_no_cookie(client, settings, fresh_heartbeat):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert not response.cookies


def test_healthz_is_503_naming_the_database_when_it_is_down(client, settings, fresh_heartbeat, monkeypatch):
    settings.REDIS_URL = ""

    def database_down() -> tuple[bool, str]:
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", database_down)
    status, body = healthz(client)
    assert status == 503
    assert body["down"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "detail": "OperationalError: connection refused"}


def test_healthz_is_503_naming_redis_when_it_does_not_answer(client, settings, fresh_heartbeat):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    status, body = healthz(client)
    assert status == 503
    assert body["down"] == ["redis"]
    assert "ConnectionError" in body["checks"]["redis"]["detail"]


def test_healthz_pings_the_real_redis(client, settings, fresh_heartbeat, redis_url):
    settings.REDIS_URL = redis_url
    status, body = healthz(client)
    assert status == 200, body
    assert body["checks"]["redis"] == {"ok": True, "detail": "PONG"}


def test_healthz_is_503_when_no_worker_ever_sent_a_heartbeat(client, settings):
    settings.REDIS_URL = ""
    status, body = healthz(client)
    assert status == 503
    assert body["down"] == ["worker"]
    assert "no worker has ever sent a heartbeat" in body["checks"]["worker"]["detail"]


def test_healthz_is_503_when_the_newest_heartbeat_is_too_old(client, settings):
    settings.REDIS_URL = ""
    settings.HEALTHZ_HEARTBEAT_MAX_AGE = dt.timedelta(minutes=5)
    WorkerHeartbeat.objects.create(hostname="old@host", seen_at=timezone.now() - dt.timedelta(minutes=6))
    status, body = healthz(client)
    assert status == 503 and body["down"] == ["worker"]
    assert "expected one within 300 s" in body["checks"]["worker"]["detail"]


def test_healthz_only_runs_the_checks_asked_for(client, settings):
    settings.REDIS_URL = ""
    status, body = healthz(client, "?only=database,redis")  # no heartbeat at all: not asked
    assert status == 200 and set(body["checks"]) == {"database", "redis"}
    status, body = healthz(client, "?only=disk")
    assert status == 400 and "unknown checks" in str(body["detail"])


def test_every_response_carries_a_request_id(client, settings, fresh_heartbeat):
    settings.REDIS_URL = ""
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "lb-123"})["X-Request-ID"] == "lb-123"
    # A header that could forge log lines is replaced.
    assert client.get("/healthz", headers={"X-Request-ID": 'x"\\n{'})["X-Request-ID"] != 'x"\\n{'


def test_json_log_lines_carry_level_logger_message_and_extras():
    record = logging.LogRecord("tracker.feeds", logging.WARNING, __file__, 1, "feed %s failed", ("42",), None)
    record.feed_id = 42
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "tracker.feeds"
    assert line["message"] == "feed 42 failed" and line["feed_id"] == 42
    assert line["time"].endswith("+00:00")
