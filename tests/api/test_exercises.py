"""The exercise endpoints: public view only, 202 with a status URL, polling with ETags, your own list,
the size and rate limits as problems, and never the reference or a hidden output."""

from __future__ import annotations

import shutil

import pytest
from rest_framework.test import APIClient

from grader.bundles import Bundle
from tests.exercises_support import BUNDLE_COUNT, WRONG, assert_no_secrets, bundle, exercise
from tests.factories import SubmissionFactory
from tracker.models import Exercise, Submission, User
from tracker.services.exercises import submission_grade

__all__ = ["bundle", "exercise"]
pytestmark = pytest.mark.django_db
needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="the sandbox needs bubblewrap (make test-system-deps)"
)


def test_exercises_list_and_detail_show_the_public_view_only(exercise: Exercise, bundle: Bundle, api: APIClient):
    listing = api.get("/api/v1/exercises/")
    assert listing.status_code == 200 and listing.json()["count"] == BUNDLE_COUNT
    detail = api.get("/api/v1/exercises/vector-add/")
    body = detail.json()
    assert body["starter"] == bundle.starter and body["hidden_cases"] == 7
    assert [case["name"] for case in body["examples"]] == ["01", "02", "03"]
    assert "reference" not in detail.content.decode()
    assert_no_secrets(listing.content.decode() + detail.content.decode(), bundle)
    assert api.get("/api/v1/exercises/vector-add/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304


@needs_bwrap
def test_submit_is_202_with_a_status_url_polled_until_done(
    exercise: Exercise, bundle: Bundle, learner: User, api: APIClient
):
    response = api.post("/api/v1/exercises/vector-add/submissions/", {"code": WRONG}, format="json")
    assert response.status_code == 202
    status_url = response["Location"]
    assert response.json()["status_url"] == status_url and response.json()["status"] == "queued"
    first = api.get(status_url)
    assert first.json()["status"] == "queued"
    submission_grade(submission_id=response.json()["id"])
    done = api.get(status_url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "done" and body["verdict"] == "WA" and len(body["results"]) == 10
    assert all(r["message"] == "" and r["diff"] == "" for r in body["results"] if not r["visible"])
    assert all(r["message"] for r in body["results"] if r["visible"])
    assert_no_secrets(done.content.decode(), bundle)
    assert api.get(status_url, HTTP_IF_NONE_MATCH=done["ETag"]).status_code == 304
    mine = api.get("/api/v1/submissions/", {"exercise": "vector-add"}).json()
    assert [row["id"] for row in mine["results"]] == [body["id"]]
    assert_no_secrets(api.get("/api/v1/submissions/").content.decode(), bundle)


def test_code_over_64_kb_is_a_400_problem_naming_the_limit(exercise: Exercise, api: APIClient):
    response = api.post("/api/v1/exercises/vector-add/submissions/", {"code": "#" * 70_000}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "the limit is 64 KB" in response.json()["errors"][0]["message"]
    assert not Submission.objects.exists()


def test_the_rate_limit_is_a_429_problem_with_retry_after(exercise: Exercise, api: APIClient):
    url = "/api/v1/exercises/vector-add/submissions/"
    assert api.post(url, {"code": WRONG, "kind": "run"}, format="json").status_code == 202
    refused = api.post(url, {"code": WRONG}, format="json")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert "still being graded" in refused.json()["detail"] and refused["Retry-After"]


def test_an_idempotent_retry_creates_one_submission(exercise: Exercise, api: APIClient):
    url = "/api/v1/exercises/vector-add/submissions/"
    first = api.post(url, {"code": WRONG}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(url, {"code": WRONG}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true" and again["Location"] == first["Location"]
    assert Submission.objects.count() == 1


def test_an_unknown_exercise_is_a_404_problem(api: APIClient):
    response = api.post("/api/v1/exercises/nope/submissions/", {"code": WRONG}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_submission_list_query_count(exercise: Exercise, learner: User, api: APIClient, django_assert_num_queries):
    for _ in range(5):
        SubmissionFactory(user=learner, exercise=exercise, status="done")
    api.get("/api/v1/submissions/")  # warm-up: the token's last_used_at
    # token, count, page joined with exercise
    with django_assert_num_queries(3):
        assert api.get("/api/v1/submissions/").json()["count"] == 5
    # token, count, page of exercises (annotated best score, joined track and item), their tags
    with django_assert_num_queries(4):
        api.get("/api/v1/exercises/")
