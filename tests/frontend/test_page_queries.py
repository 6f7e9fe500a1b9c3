"""Each dashboard page runs a fixed number of queries, at most 15, whatever the amount of data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tracker.models import ReadingQueueEntry

pytestmark = pytest.mark.django_db

MAX = 15


def test_today(busy_learner, django_assert_max_num_queries):
    _, client, _ = busy_learner
    # Built (not cached: the test's transaction never commits): session, user, the profile with both
    # state versions (the plan is today's: no re-plan), then today_bundle: today's entries, their
    # progress, reviews due, overdue entries, reading, deadlines, the next deadline after the window,
    # problem re-solves due, and the streak's finished items, review ratings and vacations.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("frontend:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reviews due" in page and "Track 0" in page


def test_today_cached_and_not_modified(busy_learner, django_assert_num_queries, django_capture_on_commit_callbacks):
    _, client, _ = busy_learner
    with django_capture_on_commit_callbacks(execute=True):
        built = client.get(reverse("frontend:home"))
    # session, user, the profile with both state versions; the page's data from the cache
    with django_assert_num_queries(3):
        cached = client.get(reverse("frontend:home"))
    # session, user, the profile with both state versions; no page
    with django_assert_num_queries(3):
        not_modified = client.get(reverse("frontend:home"), HTTP_IF_NONE_MATCH=built["ETag"])
    assert cached.status_code == 200 and "Reviews due" in cached.content.decode()
    assert not_modified.status_code == 304


def test_tracks(busy_learner, django_assert_max_num_queries):
    _, client, _ = busy_learner
    # session, user, enrolments with counts, catalogue with counts, its tags, the tags of the filter
    with django_assert_max_num_queries(6):
        response = client.get(reverse("frontend:tracks"), {"kind": "course", "tag": "cuda", "q": "Track"})
    assert response.status_code == 200
    assert response.content.decode().count("Enrolled") >= 5


def test_track_page(busy_learner, django_assert_max_num_queries):
    _, client, tracks = busy_learner
    # session, user, track, items with child counts, their progress, the enrolment, the track's tags
    with django_assert_max_num_queries(7):
        response = client.get(reverse("frontend:track", args=[tracks[0][0].pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("view", ["week", "month"])
def test_plan(busy_learner, django_assert_max_num_queries, view):
    _, client, _ = busy_learner
    # session, user, plan_ensure_current's profile, the page's profile, enrolments with counts,
    # plan entries with item, track and enrolment
    with django_assert_max_num_queries(6):
        response = client.get(reverse("frontend:plan"), {"view": view})
    assert response.status_code == 200
    assert "Slot 1" in response.content.decode() or view == "month"


def test_progress(busy_learner, django_assert_max_num_queries):
    _, client, _ = busy_learner
    # session, user, profile, the streak's finished items (with their tracks, for the burn-up charts),
    # review ratings and vacations, enrolments with counts
    with django_assert_max_num_queries(7):
        response = client.get(reverse("frontend:progress"))
    assert response.status_code == 200
    assert response.content.decode().count('class="burnup"') == 5


def test_reading(busy_learner, django_assert_max_num_queries):
    learner, client, _ = busy_learner
    ReadingQueueEntry.objects.filter(user=learner).order_by("position").first()
    # session, user, entries to read with item and track, entries read
    with django_assert_max_num_queries(4):
        response = client.get(reverse("frontend:reading"))
    assert response.status_code == 200


def test_skills(busy_learner, django_assert_max_num_queries):
    _, client, _ = busy_learner
    # session, user, skills with the learner's level, the tracks that teach them
    with django_assert_max_num_queries(4):
        response = client.get(reverse("frontend:skills"))
    assert response.status_code == 200


def test_deadlines(busy_learner, django_assert_max_num_queries):
    _, client, _ = busy_learner
    # session, user, profile, upcoming deadlines with tracks, passed ones, the form's tracks
    with django_assert_max_num_queries(6):
        response = client.get(reverse("frontend:deadlines"))
    assert response.status_code == 200


def test_settings(busy_learner, django_assert_max_num_queries):
    _, client, _ = busy_learner
    # session, user, profile, vacations, API tokens, then sign-in and security (account_security): the
    # learner's e-mail addresses, two-factor authenticators, GitHub/Google links and web sessions
    with django_assert_max_num_queries(9):
        response = client.get(reverse("frontend:settings"))
    assert response.status_code == 200
    assert "Where you are signed in" in response.content.decode()
