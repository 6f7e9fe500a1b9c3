"""GET /api/v1/me/export/ downloads everything the learner owns; DELETE /api/v1/me/ closes the account."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import EnrollmentFactory, ProgressFactory
from tracker.models import Enrollment, Progress, User

pytestmark = pytest.mark.django_db


def test_the_export_is_a_json_download_of_the_learners_own_data(learner: User, api: APIClient, other_learner):
    EnrollmentFactory(user=learner)
    ProgressFactory(user=learner, note="mine")
    ProgressFactory(user=other_learner, note="not mine")
    response = api.get("/api/v1/me/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="brainqueue-ada-')
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["format"] == "brainqueue-user-data" and body["user"]["username"] == "ada"
    assert [p["note"] for p in body["progress"]] == ["mine"]
    assert len(body["enrollments"]) == 1


def test_the_export_needs_a_signed_in_learner():
    assert APIClient().get("/api/v1/me/export/").status_code == 401


def test_deleting_the_account_needs_the_password(learner: User, api: APIClient):
    EnrollmentFactory(user=learner)
    wrong = api.delete("/api/v1/me/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "password"
    assert api.delete("/api/v1/me/", {}, format="json").status_code == 400
    assert User.objects.filter(pk=learner.pk).exists()


def test_deleting_the_account_removes_it_and_signs_every_device_out(learner: User, api: APIClient, other_learner):
    EnrollmentFactory(user=learner)
    ProgressFactory(user=other_learner)
    response = api.delete("/api/v1/me/", {"password": "correct-horse-battery"}, format="json")
    assert response.status_code == 204
    assert not User.objects.filter(pk=learner.pk).exists()
    assert not Enrollment.objects.filter(user_id=learner.pk).exists()
    assert Progress.objects.filter(user=other_learner).count() == 1
    assert api.get("/api/v1/me/").status_code == 401
