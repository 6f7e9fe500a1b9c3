"""The calendar link on Settings: make it, use it in a calendar app, replace it, turn it off."""

from __future__ import annotations

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def feed_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_settings_offers_a_calendar_link_that_a_calendar_app_can_read(learner_client):
    learner, client = learner_client
    page = client.get(reverse("frontend:settings")).content.decode()
    assert "Make my calendar link" in page and "/calendar/public.ics" in page

    client.post(reverse("frontend:calendar-rotate"))

    learner.study_profile.refresh_from_db()
    token = learner.study_profile.calendar_token
    page = client.get(reverse("frontend:settings")).content.decode()
    assert f"/calendar/{token}.ics" in page
    feed = Client().get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    assert icalendar.Calendar.from_ical(feed.content).get("PRODID")


def test_a_new_link_replaces_the_old_and_off_stops_it(learner_client):
    learner, client = learner_client
    client.post(reverse("frontend:calendar-rotate"))
    learner.study_profile.refresh_from_db()
    old = learner.study_profile.calendar_token
    response = client.post(reverse("frontend:calendar-rotate"), follow=True)
    assert "any older link stopped working" in response.content.decode()
    learner.study_profile.refresh_from_db()
    assert Client().get(f"/calendar/{old}.ics").status_code == 404
    new = learner.study_profile.calendar_token
    client.post(reverse("frontend:calendar-revoke"))
    assert Client().get(f"/calendar/{new}.ics").status_code == 404
    assert "Make my calendar link" in client.get(reverse("frontend:settings")).content.decode()
