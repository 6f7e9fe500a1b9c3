"""/api/v1/reading/: a track item joins the queue once (201, then 200), and only one that is read or watched."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import ItemFactory
from tracker.models import ReadingQueueEntry, User

pytestmark = pytest.mark.django_db


def test_an_item_is_queued_once_201_then_200_with_the_same_entry(api: APIClient, learner: User):
    item = ItemFactory(kind="lecture")
    first = api.post("/api/v1/reading/", {"item": item.pk}, format="json")
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/reading/", {"item": item.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again["Location"] == f"/api/v1/reading/{first.json()['id']}/"
    assert ReadingQueueEntry.objects.filter(user=learner).count() == 1


def test_an_item_that_is_not_read_or_watched_is_a_400_problem_on_the_item(api: APIClient, learner: User):
    problem = ItemFactory(kind="problem", title_en="Two sum")
    response = api.post("/api/v1/reading/", {"item": problem.pk}, format="json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("item", "not_readable")
    assert "only chapters, sections, lectures, articles and resources" in error["message"]
    assert not ReadingQueueEntry.objects.filter(user=learner).exists()
