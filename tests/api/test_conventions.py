"""The conventions every endpoint keeps: problem details, auth, ETags, If-Match, idempotency, throttling,
pagination, time zones."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from rest_framework.test import APIClient

from api.models import IdempotencyKey
from tests.api.conftest import client_for
from tests.factories import EnrollmentFactory, ItemFactory, TrackFactory, UserFactory
from tracker.models import Enrollment, StudyProfile, User, Vacation

pytestmark = pytest.mark.django_db


def test_a_call_without_credentials_is_401_with_a_token_challenge() -> None:
    response = APIClient().get("/api/v1/today/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"


def test_a_revoked_token_no_longer_signs_in(learner: User) -> None:
    app = client_for(learner)
    token_id = app.get("/api/v1/auth/tokens/").json()["results"][0]["id"]
    assert app.delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 204
    assert app.get("/api/v1/me/").status_code == 401


def test_token_list_never_shows_a_secret(api: APIClient) -> None:
    row = api.get("/api/v1/auth/tokens/").json()["results"][0]
    assert set(row) == {"id", "device_name", "created_at", "last_used_at", "expires_at"}


def test_a_wrong_password_is_a_400_problem_naming_no_field(learner: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/tokens/", {"username": "ada", "password": "nope", "device_name": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "non_field_errors"


def test_signing_in_is_throttled_per_ip_before_other_calls(learner: User) -> None:
    client = APIClient()
    bodies = [{"username": f"ada{n}", "password": "wrong", "device_name": "x"} for n in range(12)]
    codes = [client.post("/api/v1/auth/tokens/", body, format="json").status_code for body in bodies[:11]]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
    throttled = client.post("/api/v1/auth/tokens/", bodies[11], format="json")
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0


def test_field_errors_are_listed_by_field(api: APIClient) -> None:
    response = api.post("/api/v1/enrollments/", {"track": "x", "pace_per_day": 0}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "about:blank" and body["title"] == "Bad Request" and body["status"] == 400
    assert {e["field"] for e in body["errors"]} == {"track", "pace_per_day"}


def test_an_unknown_api_path_is_a_404_problem(api: APIClient) -> None:
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_enrolling_twice_is_a_409_conflict(api: APIClient) -> None:
    track = TrackFactory()
    assert api.post("/api/v1/enrollments/", {"track": track.pk}, format="json").status_code == 201
    again = api.post("/api/v1/enrollments/", {"track": track.pk}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_curated_deadlines_are_read_only_for_learners(api: APIClient) -> None:
    from tests.factories import DeadlineFactory

    public = DeadlineFactory(owner=None)
    assert api.get(f"/api/v1/deadlines/{public.pk}/").status_code == 200
    assert api.patch(f"/api/v1/deadlines/{public.pk}/", {"title": "mine now"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/deadlines/{public.pk}/").status_code == 403


def test_a_stale_if_match_on_an_enrolment_is_412_and_changes_nothing(learner: User, api: APIClient) -> None:
    enrollment = EnrollmentFactory(user=learner, pace_per_day=30)
    url = f"/api/v1/enrollments/{enrollment.pk}/"
    etag = api.get(url)["ETag"]
    fresh = api.patch(url, {"pace_per_day": 45}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200
    stale = api.patch(url, {"pace_per_day": 90}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert Enrollment.objects.get(pk=enrollment.pk).pace_per_day == 45
    assert api.patch(url, {"pace_per_day": 90}, format="json", HTTP_IF_MATCH=fresh["ETag"]).status_code == 200


def test_a_stale_if_match_on_progress_is_412(learner: User, api: APIClient) -> None:
    item = ItemFactory()
    url = f"/api/v1/progress/{item.pk}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"note": "first"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"note": "second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert api.get(url).json()["note"] == "first"


def test_track_detail_answers_if_none_match_with_304_until_it_changes(learner: User, api: APIClient) -> None:
    item = ItemFactory()
    url = f"/api/v1/tracks/{item.track_id}/"
    first = api.get(url)
    assert first.json()["items"][0]["status"] == "todo"
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    api.patch(f"/api/v1/progress/{item.pk}/", {"status": "doing"}, format="json")
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["items"][0]["status"] == "doing"


def test_plan_answers_if_none_match_with_304(learner: User, api: APIClient) -> None:
    first = api.get("/api/v1/plan/")
    assert first.status_code == 200
    assert api.get("/api/v1/plan/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_an_idempotent_retry_creates_nothing_new(learner: User, api: APIClient) -> None:
    key = str(uuid.uuid4())
    body = {"start_date": "2026-04-01", "end_date": "2026-04-03", "label": "trip"}
    first = api.post("/api/v1/vacations/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = api.post("/api/v1/vacations/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert Vacation.objects.filter(user=learner).count() == 1
    without_key = api.post("/api/v1/vacations/", body, format="json")
    assert without_key.status_code == 201
    assert Vacation.objects.filter(user=learner).count() == 2


def test_an_idempotency_key_reused_for_another_body_is_422(api: APIClient) -> None:
    key = "retry-1"
    api.post(
        "/api/v1/vacations/",
        {"start_date": "2026-04-01", "end_date": "2026-04-03"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    other = api.post(
        "/api/v1/vacations/",
        {"start_date": "2026-05-01", "end_date": "2026-05-03"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_failed_request_leaves_its_idempotency_key_free(learner: User, api: APIClient) -> None:
    key = "fix-and-retry"
    bad = api.post(
        "/api/v1/vacations/",
        {"start_date": "2026-04-05", "end_date": "2026-04-01"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.filter(user=learner, key=key).exists()


def test_idempotency_keys_are_per_learner(learner: User, api: APIClient, other_api: APIClient) -> None:
    body = {"start_date": "2026-04-01", "end_date": "2026-04-03"}
    assert api.post("/api/v1/vacations/", body, format="json", HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    theirs = other_api.post("/api/v1/vacations/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert Vacation.objects.count() == 2


def test_an_idempotency_key_expires_after_a_day(learner: User, api: APIClient) -> None:
    body = {"start_date": "2026-04-01", "end_date": "2026-04-03"}
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)):
        api.post("/api/v1/vacations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
        later = api.post("/api/v1/vacations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert "Idempotent-Replayed" not in later
    assert Vacation.objects.filter(user=learner).count() == 2


def test_lists_are_paginated_by_page_number(learner: User, api: APIClient) -> None:
    for n in range(3):
        EnrollmentFactory(user=learner, priority=n + 1)
    page = api.get("/api/v1/enrollments/", {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"] and page["previous"] is None
    second = api.get("/api/v1/enrollments/", {"page_size": 2, "page": 2}).json()
    assert len(second["results"]) == 1


def test_tracks_filter_search_and_order(learner: User, api: APIClient) -> None:
    TrackFactory(title_en="TensorRT in practice", kind="book")
    TrackFactory(title_en="ONNX runtime", kind="course")
    TrackFactory(owner=learner, title_en="My own TensorRT notes", kind="project")
    titles = [
        t["title_en"]
        for t in api.get("/api/v1/tracks/", {"search": "tensorrt", "ordering": "-title_en"}).json()["results"]
    ]
    assert titles == ["TensorRT in practice", "My own TensorRT notes"]
    mine = api.get("/api/v1/tracks/", {"mine": "true"}).json()["results"]
    assert [t["title_en"] for t in mine] == ["My own TensorRT notes"]


def test_today_is_the_learners_local_date() -> None:
    user = UserFactory()
    StudyProfile.objects.filter(user=user).update(time_zone="Asia/Shanghai")
    app = client_for(user)
    # 17:30 UTC on 1 March is 01:30 on 2 March in Shanghai.
    with time_machine.travel(dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)):
        assert app.get("/api/v1/today/").json()["date"] == "2026-03-02"
        assert app.get("/api/v1/me/").json()["today"] == "2026-03-02"


def test_datetimes_without_an_offset_are_refused(api: APIClient) -> None:
    response = api.post("/api/v1/deadlines/", {"title": "Exam", "due_at": "2026-06-20T09:00:00"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "due_at"
    ok = api.post("/api/v1/deadlines/", {"title": "Exam", "due_at": "2026-06-20T09:00:00+08:00"}, format="json")
    assert ok.status_code == 201
    assert ok.json()["due_at"] == "2026-06-20T01:00:00Z"


def test_reading_queue_add_reorder_mark_read_delete(learner: User, api: APIClient) -> None:
    a = api.post("/api/v1/reading/", {"url": "https://example.org/a", "title": "A"}, format="json").json()
    b = api.post("/api/v1/reading/", {"url": "https://example.org/b", "title": "B"}, format="json").json()
    api.patch(f"/api/v1/reading/{b['id']}/", {"position": 1}, format="json")
    assert [e["title"] for e in api.get("/api/v1/reading/").json()["results"]] == ["B", "A"]
    read = api.patch(f"/api/v1/reading/{a['id']}/", {"status": "read", "summary": "ok"}, format="json").json()
    assert read["status"] == "read" and read["summary"] == "ok" and read["read_at"]
    assert api.delete(f"/api/v1/reading/{a['id']}/").status_code == 204
    assert api.get("/api/v1/reading/").json()["count"] == 1


def test_skill_level_is_set_and_read_back(api: APIClient) -> None:
    from tests.factories import SkillFactory

    skill = SkillFactory()
    assert api.put(f"/api/v1/skills/{skill.pk}/level/", {"level": 3}, format="json").json()["my_level"] == 3
    assert api.get(f"/api/v1/skills/{skill.pk}/").json()["my_level"] == 3


def test_me_update_replans_and_validates(api: APIClient) -> None:
    assert api.patch("/api/v1/me/", {"parallel_limit": 3}, format="json").json()["parallel_limit"] == 3
    bad = api.patch("/api/v1/me/", {"time_zone": "Mars/Olympus"}, format="json")
    assert bad.status_code == 400
    assert "time zone" in bad.json()["errors"][0]["message"]


def test_rating_a_review_needs_the_item_done(learner: User, api: APIClient) -> None:
    item = ItemFactory()
    assert api.post(f"/api/v1/progress/{item.pk}/reviews/", {"rating": "good"}, format="json").status_code == 400
    api.post(f"/api/v1/progress/{item.pk}/done/", {}, format="json")
    rated = api.post(f"/api/v1/progress/{item.pk}/reviews/", {"rating": "good"}, format="json")
    assert rated.status_code == 201
    assert api.get(f"/api/v1/progress/{item.pk}/").json()["status"] == "review"


def test_plan_import_returns_the_report(api: APIClient) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = b"# CUDA\n\n- [x] 2026-03-01 Read chapter 1\n- [ ] Read chapter 2\n"
    response = api.post("/api/v1/plan/import/", {"file": SimpleUploadedFile("plan.md", plan)}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["tracks_created"] == 1
    assert response.json()["progress_done"] == 1
    broken = api.post(
        "/api/v1/plan/import/", {"file": SimpleUploadedFile("plan.md", b"\xff\xfe\x00bad")}, format="multipart"
    )
    assert broken.status_code == 400


def test_an_offset_wider_than_any_zone_is_a_400_not_a_database_error(api: APIClient) -> None:
    assert api.get("/api/v1/deadlines/", {"due_after": "2026-01-26T13:56:28+16:39"}).status_code == 400
    created = api.post("/api/v1/deadlines/", {"title": "x", "due_at": "2026-06-20T09:00:00+16:39"}, format="json")
    assert created.status_code == 400
