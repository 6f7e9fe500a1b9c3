"""Settings → Your data: the JSON download and closing the account with the password."""

from __future__ import annotations

import json

import pytest

from tests.factories import EnrollmentFactory, ProgressFactory
from tracker.models import Enrollment, User

pytestmark = pytest.mark.django_db


def test_settings_offers_the_download_and_the_deletion_form(learner_client):
    _user, client = learner_client
    page = client.get("/settings/").content.decode()
    assert 'href="/settings/data.json"' in page
    assert 'action="/settings/delete-account/"' in page and 'type="password"' in page


def test_the_download_is_the_learners_export(learner_client):
    user, client = learner_client
    ProgressFactory(user=user, note="a note")
    response = client.get("/settings/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="brainqueue-{user.username}-')
    doc = json.loads(response.content)
    assert doc["format"] == "brainqueue-user-data" and doc["progress"][0]["note"] == "a note"


def test_a_wrong_password_deletes_nothing_and_says_so(learner_client):
    user, client = learner_client
    response = client.post("/settings/delete-account/", {"password": "nope"})
    assert response.status_code == 400
    assert "The password is not right" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_the_account_signs_out_and_removes_the_data(learner_client):
    user, client = learner_client
    EnrollmentFactory(user=user)
    response = client.post("/settings/delete-account/", {"password": "correct-horse-battery"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Your account and everything in it were deleted." in response.content.decode()
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Enrollment.objects.filter(user_id=user.pk).exists()
    assert client.get("/settings/").status_code == 302
