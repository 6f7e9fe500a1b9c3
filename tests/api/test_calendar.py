"""/api/v1/me/calendar/: the private ICS feed URL, rotated and revoked from a phone."""

from __future__ import annotations

import icalendar
from django.test import Client
from rest_framework.test import APIClient

from tracker.models import User


def feed_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_a_learner_without_a_feed_gets_null_and_the_public_feed(api: APIClient):
    body = api.get("/api/v1/me/calendar/").json()
    assert body["feed_url"] is None
    assert body["public_feed_url"].endswith("/calendar/public.ics")


def test_rotating_gives_a_working_feed_and_the_old_url_stops(api: APIClient, learner: User):
    first = api.post("/api/v1/me/calendar/rotate/")
    assert first.status_code == 201
    url = first.json()["feed_url"]
    response = Client().get(feed_path(url))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert icalendar.Calendar.from_ical(response.content).get("X-WR-CALNAME")

    second = api.post("/api/v1/me/calendar/rotate/").json()["feed_url"]

    assert second != url
    assert Client().get(feed_path(url)).status_code == 404
    assert Client().get(feed_path(second)).status_code == 200
    assert api.get("/api/v1/me/calendar/").json()["feed_url"] == second


def test_a_retried_rotation_with_the_same_key_returns_the_first_url(api: APIClient):
    first = api.post("/api/v1/me/calendar/rotate/", HTTP_IDEMPOTENCY_KEY="rotate-1")
    again = api.post("/api/v1/me/calendar/rotate/", HTTP_IDEMPOTENCY_KEY="rotate-1")
    assert first.json() == again.json()
    assert api.get("/api/v1/me/calendar/").json()["feed_url"] == first.json()["feed_url"]


def test_revoking_stops_the_feed(api: APIClient):
    url = api.post("/api/v1/me/calendar/rotate/").json()["feed_url"]
    assert api.delete("/api/v1/me/calendar/").status_code == 204
    assert Client().get(feed_path(url)).status_code == 404
    assert api.get("/api/v1/me/calendar/").json()["feed_url"] is None


def test_another_learners_feed_is_not_touched(api: APIClient, other_api: APIClient):
    mine = api.post("/api/v1/me/calendar/rotate/").json()["feed_url"]
    other_api.delete("/api/v1/me/calendar/")
    assert Client().get(feed_path(mine)).status_code == 200


def test_the_calendar_needs_a_signed_in_learner():
    assert APIClient().get("/api/v1/me/calendar/").status_code == 401
