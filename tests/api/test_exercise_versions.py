"""Versions, re-grades and toolchains over the API, for an exercise published from an uploaded bundle: the
version each submission was graded on, a learner's re-grade on a newer version, and never the reference or
a hidden output (exercise list and detail, submissions, the data export)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from grader import toolchains
from tests.authoring_fixtures import assert_no_upload_secrets, needs_bwrap, publish_zip, uploaded
from tests.authoring_support import REFERENCE, SLUG, bundle_files, make_zip
from tests.factories import SubmissionFactory
from tracker.models import Exercise, Submission, User
from tracker.services.exercises import submission_create, submission_grade

__all__ = ["uploaded"]
pytestmark = [pytest.mark.django_db, needs_bwrap]
WRONG = "import numpy as np\n\n\ndef triple(x):\n    return np.asarray(x) * 2\n"


def _graded(user: User, exercise: Exercise, code: str = WRONG) -> Submission:
    submission = submission_create(user=user, exercise=exercise, code=code)
    submission_grade(submission_id=submission.pk)
    return Submission.objects.get(pk=submission.pk)


def _new_version(exercise: Exercise) -> Exercise:
    files = bundle_files()
    files["statement.md"] = b"Return `x` times three (now with int64 outputs).\n"
    republished = publish_zip(make_zip(files))
    assert republished.current_version.number == exercise.current_version.number + 1
    return republished


def test_the_exercise_says_its_version_and_toolchains(uploaded: Exercise, api: APIClient) -> None:
    body = api.get(f"/api/v1/exercises/{SLUG}/").json()
    version = uploaded.current_version
    assert body["version"] == {"number": 1, "hash": version.short_hash, "content_hash": version.content_hash}
    assert body["toolchains"] == [] and body["available"] is True and body["install_hint"] == ""
    listed = api.get("/api/v1/exercises/").json()["results"]
    assert [e["version"]["number"] for e in listed if e["slug"] == SLUG] == [1]


def test_nothing_secret_reaches_the_learner_over_the_api(uploaded: Exercise, learner: User, api: APIClient) -> None:
    submission = _graded(learner, uploaded)
    assert submission.verdict == "WA"
    texts = [
        api.get("/api/v1/exercises/").content.decode(),
        api.get(f"/api/v1/exercises/{SLUG}/").content.decode(),
        api.get("/api/v1/submissions/").content.decode(),
        api.get(f"/api/v1/submissions/{submission.pk}/").content.decode(),
        api.get("/api/v1/me/export/").content.decode(),
    ]
    assert "7391113" not in texts[1]  # the hidden case's input is not an example
    for text in texts:
        assert_no_upload_secrets(text)


def test_a_submission_says_which_version_graded_it(uploaded: Exercise, learner: User, api: APIClient) -> None:
    submission = _graded(learner, uploaded)
    body = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert body["version"]["number"] == 1 and body["regrade_of"] is None
    export = api.get("/api/v1/me/export/").json()
    assert export["submissions"][0]["version"] == {"number": 1, "content_hash": uploaded.current_version.content_hash}


def test_a_learner_regrades_on_a_new_version_and_keeps_the_old_result(
    uploaded: Exercise, learner: User, api: APIClient
) -> None:
    old = _graded(learner, uploaded)
    refused = api.post(f"/api/v1/submissions/{old.pk}/regrade/")
    assert refused.status_code == 400 and "graded on the current version already" in str(refused.json()["errors"])

    current = _new_version(uploaded)
    response = api.post(f"/api/v1/submissions/{old.pk}/regrade/", HTTP_IDEMPOTENCY_KEY="regrade-1")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["regrade_of"] == old.pk and body["status"] == "queued" and response["Location"] == body["status_url"]
    again = Submission.objects.get(pk=body["id"])
    assert submission_grade(submission_id=again.pk) == "graded"
    again.refresh_from_db()
    assert again.version == current.current_version and again.code == old.code
    old.refresh_from_db()
    assert old.version.number == 1 and old.verdict == "WA" and old.results.count() == 8
    replay = api.post(f"/api/v1/submissions/{old.pk}/regrade/", HTTP_IDEMPOTENCY_KEY="regrade-1")
    assert replay.json()["id"] == again.pk and Submission.objects.filter(regrade_of=old).count() == 1


def test_another_learners_submission_cannot_be_regraded(
    uploaded: Exercise, other_learner: User, api: APIClient
) -> None:
    theirs = _graded(other_learner, uploaded, REFERENCE)
    _new_version(uploaded)
    assert api.post(f"/api/v1/submissions/{theirs.pk}/regrade/").status_code == 404
    assert not Submission.objects.filter(regrade_of=theirs).exists()


def test_a_missing_toolchain_is_said_on_the_exercise(
    uploaded: Exercise, api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    Exercise.objects.filter(pk=uploaded.pk).update(toolchains=["onnxruntime"])
    monkeypatch.setattr(toolchains, "version_of", lambda name: None)
    body = api.get(f"/api/v1/exercises/{SLUG}/").json()
    assert body["available"] is False
    assert body["toolchains"] == [{"name": "onnxruntime", "title": "ONNX Runtime", "version": None}]
    assert "pip install" in body["install_hint"] and "ONNX Runtime" in body["install_hint"]


def test_version_and_regrade_query_counts(
    uploaded: Exercise, learner: User, api: APIClient, django_assert_max_num_queries
) -> None:
    for _ in range(5):
        SubmissionFactory(user=learner, exercise=uploaded, status="done", version=uploaded.current_version)
    api.get("/api/v1/submissions/")  # warm-up: the token's last_used_at
    # token, count, page joined with exercise, its current version and the submission's version
    with django_assert_max_num_queries(3):
        assert api.get("/api/v1/submissions/").json()["count"] == 5
    # token, count, page of exercises (best score, track, item, current version), their tags
    with django_assert_max_num_queries(4):
        api.get("/api/v1/exercises/")
    _new_version(uploaded)
    old = Submission.objects.filter(user=learner).first()
    # token, the submission (joined with its exercise and versions), savepoint, the learner's row lock, the busy
    # check, the minute's count, the insert, release (the new version's bundle is unpacked here already)
    with django_assert_max_num_queries(8):
        assert api.post(f"/api/v1/submissions/{old.pk}/regrade/").status_code == 202
