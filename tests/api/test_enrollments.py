"""Enrolments in the API give the same answers as the web pages: progress, waiting, missed targets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import EnrollmentFactory, ItemFactory, ProgressFactory, TrackFactory
from tracker.models import StudyProfile, User
from tracker.services.planning import plan_rebuild
from tracker.timezones import local_today

pytestmark = pytest.mark.django_db


def test_the_api_and_the_web_pages_agree_on_progress_waiting_and_missed_targets(api: APIClient, learner: User):
    StudyProfile.objects.filter(user=learner).update(parallel_limit=1, daily_minutes=60)
    today = local_today(learner.study_profile.time_zone, timezone.now())
    enrollments = []
    for n in range(2):
        track = TrackFactory(title_en=f"Track {n}")
        items = [ItemFactory(track=track, position=i, estimated_minutes=30) for i in range(8)]
        enrollments.append(
            EnrollmentFactory(
                user=learner, track=track, priority=n + 1, start_date=today, target_date=today + dt.timedelta(days=1)
            )
        )
    ProgressFactory(user=learner, item=items[0])  # 1 of 8 of the second track
    plan_rebuild(user=learner)

    rows = api.get(reverse("api:enrollment-list")).json()["results"]
    from_api = {row["id"]: (row["percent_done"], row["waiting"], row["will_miss_target"]) for row in rows}

    web = Client()
    web.force_login(learner)
    plan = web.get(reverse("frontend:plan")).context
    late = {e.pk for e in plan["late"]}
    from_plan = {e.pk: (e.percent, e.waiting, e.pk in late) for e in plan["enrollments"]}
    from_tracks = {e.pk: e.percent for e in web.get(reverse("frontend:tracks")).context["enrollments"]}

    first, second = (e.pk for e in enrollments)
    assert from_api == from_plan == {first: (0, False, True), second: (12, True, True)}
    assert from_tracks == {pk: percent for pk, (percent, _, _) in from_api.items()}


def test_enrolling_is_201_and_enrolling_again_a_409_that_changes_nothing(api: APIClient, learner: User):
    track = TrackFactory()
    first = api.post(reverse("api:enrollment-list"), {"track": track.pk, "pace_per_day": 45}, format="json")
    assert first.status_code == 201 and first["Location"] == f"/api/v1/enrollments/{first.json()['id']}/"
    again = api.post(reverse("api:enrollment-list"), {"track": track.pk, "pace_per_day": 90}, format="json")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    body = again.json()
    assert (body["code"], body["detail"]) == (
        "conflict",
        "You are already enrolled in this track; change that enrolment instead.",
    )
    assert list(learner.enrollments.values_list("pace_per_day", flat=True)) == [45]
