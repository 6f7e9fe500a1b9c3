"""The leaderboard endpoint, the submission detail's device and timing, and the handle setting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import ExerciseFactory, TimedSubmissionFactory, UserFactory, timing_figures
from tracker.models import Exercise, StudyProfile, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The messages asserted are the English ones, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def gemm() -> Exercise:
    return ExerciseFactory(slug="gemm-blocked", timed=True)


def _publish(user: User, handle: str) -> None:
    StudyProfile.objects.filter(user=user).update(public_handle=handle)


def test_the_board_ranks_best_speedups_with_published_handles_only(
    gemm: Exercise, learner: User, other_learner: User, api: APIClient, django_assert_max_num_queries
):
    _publish(learner, "ada_k")
    mine = TimedSubmissionFactory(user=learner, exercise=gemm, ratio=4.5)
    TimedSubmissionFactory(user=other_learner, exercise=gemm, ratio=7.0)  # bob keeps his handle private
    TimedSubmissionFactory(user=other_learner, exercise=gemm, ratio=5.0)
    held = timing_figures(speedup=40.0, held_for_review=True)
    TimedSubmissionFactory(exercise=gemm, ratio=40.0, timing=held, review="pending")
    url = "/api/v1/exercises/gemm-blocked/leaderboard/"
    # Token (2: the token, its last use), the exercise, the board (1: a window over the submissions, the
    # handles joined), and the throttle's none: a fixed number whatever the learners.
    with django_assert_max_num_queries(5):
        response = api.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [
        {"rank": 1, "handle": None, "is_you": False, "speedup": 7.0,
         "submitted_at": body["results"][0]["submitted_at"], "submission": None},
        {"rank": 2, "handle": "ada_k", "is_you": True, "speedup": 4.5,
         "submitted_at": body["results"][1]["submitted_at"], "submission": mine.pk},
    ]  # fmt: skip
    assert "bob" not in response.content.decode()
    assert api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_board_pages_with_ranks_that_continue(gemm: Exercise, api: APIClient):
    for n in range(5):
        TimedSubmissionFactory(exercise=gemm, ratio=10.0 - n)
    second = api.get("/api/v1/exercises/gemm-blocked/leaderboard/", {"page": 2, "page_size": 2}).json()
    assert [(r["rank"], r["speedup"]) for r in second["results"]] == [(3, 8.0), (4, 7.0)]


def test_an_untimed_or_unknown_exercise_has_no_board(api: APIClient):
    ExerciseFactory(slug="vector-sum", timed=False)
    untimed = api.get("/api/v1/exercises/vector-sum/leaderboard/")
    assert untimed.status_code == 404 and "not timed" in untimed.json()["detail"]
    assert api.get("/api/v1/exercises/nothing/leaderboard/").status_code == 404


def test_the_board_needs_a_signed_in_learner(gemm: Exercise):
    assert APIClient().get("/api/v1/exercises/gemm-blocked/leaderboard/").status_code == 401


def test_the_submission_detail_shows_device_timing_speedup_and_review(learner: User, api: APIClient):
    timing = timing_figures(speedup=25.0, held_for_review=True, message="25× the baseline: held for review")
    mine = TimedSubmissionFactory(user=learner, ratio=25.0, timing=timing, review="pending", device_kind="gpu",
                                  device_name="NVIDIA H200")  # fmt: skip
    body = api.get(f"/api/v1/submissions/{mine.pk}/").json()
    assert body["device"] == {"kind": "gpu", "name": "NVIDIA H200"}
    assert body["timing"] == timing
    assert (body["speedup"], body["review"]) == (25.0, "pending")


def test_an_ungraded_submission_has_no_device_or_timing(learner: User, api: APIClient):
    queued = TimedSubmissionFactory(user=learner, status="queued", verdict="", device_kind="", timing=None,
                                    speedup=None)  # fmt: skip
    body = api.get(f"/api/v1/submissions/{queued.pk}/").json()
    assert (body["device"], body["timing"], body["speedup"], body["review"]) == (None, None, None, "")


def test_a_learner_sees_the_board_but_not_another_learners_submission(gemm: Exercise, api: APIClient):
    theirs = TimedSubmissionFactory(user=UserFactory(), exercise=gemm, ratio=6.0)
    assert api.get("/api/v1/exercises/gemm-blocked/leaderboard/").json()["results"][0]["submission"] is None
    assert api.get(f"/api/v1/submissions/{theirs.pk}/").status_code == 404


def test_the_handle_is_set_and_cleared_through_me(learner: User, other_learner: User, api: APIClient):
    assert api.get("/api/v1/me/").json()["public_handle"] == ""
    published = api.patch("/api/v1/me/", {"public_handle": "  ada_k "}, format="json")
    assert published.status_code == 200 and published.json()["public_handle"] == "ada_k"
    _publish(other_learner, "Taken")
    taken = api.patch("/api/v1/me/", {"public_handle": "taken"}, format="json")
    assert taken.status_code == 400 and "This handle is taken" in taken.json()["errors"][0]["message"]
    bad = api.patch("/api/v1/me/", {"public_handle": "a b"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "public_handle"
    assert api.patch("/api/v1/me/", {"public_handle": ""}, format="json").json()["public_handle"] == ""
