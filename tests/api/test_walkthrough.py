"""What a mobile app does, end to end, through the public API only."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from tests.factories import ItemFactory, TrackFactory, UserFactory
from tracker.models import Progress


@pytest.mark.django_db
def test_a_mobile_app_signs_in_enrols_marks_done_once_and_exports_its_plan() -> None:
    UserFactory(username="mia")
    track = TrackFactory(title_en="CUDA basics")
    items = [ItemFactory(track=track, position=n, estimated_minutes=30) for n in range(3)]
    app = APIClient()

    token = app.post(
        "/api/v1/auth/tokens/",
        {"username": "mia", "password": "correct-horse-battery", "device_name": "Pixel 8"},
        format="json",
    )
    assert token.status_code == 201, token.content
    app.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    tracks = app.get("/api/v1/tracks/", {"search": "CUDA"})
    assert [t["id"] for t in tracks.json()["results"]] == [track.pk]

    enrolled = app.post("/api/v1/enrollments/", {"track": track.pk, "pace_per_day": 60}, format="json")
    assert enrolled.status_code == 201, enrolled.content

    today = app.get("/api/v1/today/")
    assert today.status_code == 200
    planned = [e["item"]["id"] for day in today.json()["tracks"] for e in day["entries"]]
    assert planned and planned[0] == items[0].pk
    etag = today["ETag"]
    assert app.get("/api/v1/today/", HTTP_IF_NONE_MATCH=etag).status_code == 304

    key = str(uuid.uuid4())
    first = app.post(
        f"/api/v1/progress/{planned[0]}/done/", {"minutes_spent": 25}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    retry = app.post(
        f"/api/v1/progress/{planned[0]}/done/", {"minutes_spent": 25}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    progress = Progress.objects.get(item_id=planned[0])
    assert progress.status == Progress.Status.DONE
    assert progress.time_spent_minutes == 25  # not 50: the retry added nothing

    again = app.get("/api/v1/today/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200, "marking done changes Today, so the old ETag is stale"
    statuses = {e["item"]["id"]: e["progress_status"] for day in again.json()["tracks"] for e in day["entries"]}
    assert statuses[planned[0]] == "done"

    export = app.get("/api/v1/plan/export/")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/markdown")
    assert "attachment" in export["Content-Disposition"]
