"""The Tracks page: enrolled tracks with progress, the catalogue, and a track's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import EnrollmentFactory, ProgressFactory, TrackFactory, UserFactory, make_track
from tracker.models import Enrollment, Progress

pytestmark = pytest.mark.django_db


def test_home_lists_enrolled_tracks_by_priority_with_their_progress(learner_client):
    learner, client = learner_client
    cuda, cuda_items = make_track(4, "CUDA book")
    course, _ = make_track(2, "DL course")
    EnrollmentFactory(user=learner, track=course, priority=2)
    EnrollmentFactory(user=learner, track=cuda, priority=1)
    ProgressFactory(user=learner, item=cuda_items[0])
    ProgressFactory(user=learner, item=cuda_items[1], status=Progress.Status.REVIEW)
    ProgressFactory(user=learner, item=cuda_items[2], status=Progress.Status.DOING, done_at=None)
    ProgressFactory(user=UserFactory(), item=cuda_items[3])  # someone else's

    page = client.get(reverse("frontend:tracks")).content.decode()

    assert page.index("CUDA book") < page.index("DL course")
    assert "2 of 4 done (50%)" in page  # the chapter is a group, not an item to do
    assert "0 of 2 done (0%)" in page


def test_home_shows_the_catalogue_and_enrolling_puts_the_track_first_in_line(learner_client):
    learner, client = learner_client
    track, _ = make_track(3, "TensorRT in practice")
    TrackFactory(title_en="Private plan of someone", owner=UserFactory())
    page = client.get(reverse("frontend:tracks")).content.decode()
    assert "You are not enrolled in any track yet" in page
    assert "TensorRT in practice" in page and "Private plan of someone" not in page

    response = client.post(reverse("frontend:track-enrol", args=[track.pk]), follow=True)

    assert "Enrolled in TensorRT in practice" in response.content.decode()
    enrollment = Enrollment.objects.get(user=learner)
    assert (enrollment.track, enrollment.priority) == (track, 1)
    again = client.post(reverse("frontend:track-enrol", args=[track.pk]), follow=True)
    assert "already enrolled" in again.content.decode()
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_a_learner_cannot_open_or_enrol_in_someone_elses_track(learner_client):
    _, client = learner_client
    private = TrackFactory(owner=UserFactory())
    assert client.get(reverse("frontend:track", args=[private.pk])).status_code == 404
    assert client.post(reverse("frontend:track-enrol", args=[private.pk])).status_code == 404


def test_the_track_page_shows_items_in_order_with_the_learners_state(learner_client):
    learner, client = learner_client
    track, leaves = make_track(3, "Book")
    ProgressFactory(user=learner, item=leaves[1])
    page = client.get(reverse("frontend:track", args=[track.pk])).content.decode()
    positions = [page.index(item.title_en) for item in leaves]
    assert positions == sorted(positions)
    assert page.count("state-done") == 1


def test_home_runs_a_fixed_number_of_queries_whatever_the_data(learner_client, django_assert_max_num_queries):
    learner, client = learner_client
    for n in range(6):
        track, items = make_track(5, f"Track {n}")
        EnrollmentFactory(user=learner, track=track, priority=n + 1)
        for item in items[:n]:
            ProgressFactory(user=learner, item=item)
    for n in range(5):
        make_track(2, f"Catalogue {n}")
    # session, user, enrolments with counts (1), catalogue with counts (1), its tags (1), the tag filter (1)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("frontend:tracks"))
    assert response.status_code == 200


def test_track_page_runs_a_fixed_number_of_queries(learner_client, django_assert_max_num_queries):
    learner, client = learner_client
    track, items = make_track(40, "Long book")
    for item in items[::3]:
        ProgressFactory(user=learner, item=item)
    # session, user, track, items with child counts, progress prefetch, enrolment, the track's tags
    with django_assert_max_num_queries(7):
        response = client.get(reverse("frontend:track", args=[track.pk]))
    assert response.status_code == 200
