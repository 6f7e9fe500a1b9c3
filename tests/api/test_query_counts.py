"""Pinned query counts: every list endpoint and Today cost the same whatever the amount of data.

Every request starts with the token lookup (1: token joined with its user); `last_used_at` is written at
most every five minutes, so the first call of a test pays one more write, done in the warm-up call.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    ItemFactory,
    ProgressFactory,
    ReadingQueueEntryFactory,
    SkillAssessmentFactory,
    SkillFactory,
    TrackFactory,
)
from tests.problems_support import load_sample
from tracker.models import ProblemAttempt, User, Vacation
from tracker.services.planning import plan_rebuild
from tracker.services.problems import problem_attempt_create

pytestmark = pytest.mark.django_db


def _data(user: User, n: int) -> None:
    problems = load_sample()
    for slug in list(problems)[: n * 2]:
        if not ProblemAttempt.objects.filter(user=user, problem=problems[slug]).exists():
            problem_attempt_create(user=user, problem=problems[slug], outcome="solved_alone", minutes=10)
    for _ in range(n):
        track = TrackFactory()
        items = [ItemFactory(track=track) for _ in range(3)]
        EnrollmentFactory(user=user, track=track)
        ProgressFactory(user=user, item=items[0])
        DeadlineFactory(owner=user)
        ReadingQueueEntryFactory(user=user, item=items[1])
        SkillAssessmentFactory(user=user, skill=SkillFactory())
        Vacation.objects.create(user=user, start_date="2027-01-01", end_date="2027-01-02")
    plan_rebuild(user=user)


# url → queries: token, then what the view reads.
LISTS = {
    # count, page of tokens
    "/api/v1/auth/tokens/": 3,
    # count, page of tracks (annotated), their tags
    "/api/v1/tracks/": 4,
    # count, page of enrolments (annotated)
    "/api/v1/enrollments/": 3,
    # count, page
    "/api/v1/progress/": 3,
    # profile (today's date), count, page of entries joined with item, track, enrolment
    "/api/v1/plan/": 4,
    # count, page
    "/api/v1/vacations/": 3,
    # count, page
    "/api/v1/deadlines/": 3,
    # count, page joined with item and track
    "/api/v1/reading/": 3,
    # count, page of skills (annotated), their tracks
    "/api/v1/skills/": 4,
    # profile (the day's end, for status=due), count, page of problems with the learner's progress, their tags
    "/api/v1/problems/": 5,
    # count, page of sets with their totals and the learner's solved counts
    "/api/v1/problem-sets/": 3,
    # count, page of attempts joined with their problem
    "/api/v1/problem-attempts/": 3,
}


@pytest.mark.parametrize("url", sorted(LISTS))
def test_list_endpoints_cost_a_fixed_number_of_queries(
    url: str, learner: User, api: APIClient, django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    _data(learner, 2)
    api.get(url)  # warm-up: writes last_used_at
    with django_assert_num_queries(LISTS[url]):  # type: ignore[operator]
        small = api.get(url)
    _data(learner, 6)
    with django_assert_num_queries(LISTS[url]):  # type: ignore[operator]
        large = api.get(url)
    assert small.status_code == large.status_code == 200
    if url not in {"/api/v1/auth/tokens/", "/api/v1/plan/", "/api/v1/problems/", "/api/v1/problem-sets/"}:
        assert large.json()["count"] > small.json()["count"]


def test_today_costs_a_fixed_number_of_queries(
    learner: User, api: APIClient, django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    _data(learner, 2)
    api.get("/api/v1/today/")
    # Built (not cached: the test's transaction never commits): token; the profile with both state
    # versions (tracker/today_cache.py); today_bundle's twelve (today's entries, their progress, reviews
    # due, practice due: problem re-solves and concept questions, overdue, reading, deadlines, the next
    # deadline after the window, finished items, review ratings, vacations).
    with django_assert_num_queries(14):  # type: ignore[operator]
        small = api.get("/api/v1/today/")
    _data(learner, 6)
    with django_assert_num_queries(14):  # type: ignore[operator]
        large = api.get("/api/v1/today/")
    assert sum(len(t["entries"]) for t in large.json()["tracks"]) >= sum(
        len(t["entries"]) for t in small.json()["tracks"]
    )


def test_a_cached_today_and_a_304_cost_the_token_and_the_profile(
    learner: User,
    api: APIClient,
    django_assert_num_queries: pytest.FixtureDef[object],
    django_capture_on_commit_callbacks: pytest.FixtureDef[object],
) -> None:
    _data(learner, 6)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        built = api.get("/api/v1/today/")
    # token; the profile with both state versions; the body from the cache
    with django_assert_num_queries(2):  # type: ignore[operator]
        cached = api.get("/api/v1/today/")
    # token; the profile with both state versions; no body
    with django_assert_num_queries(2):  # type: ignore[operator]
        not_modified = api.get("/api/v1/today/", HTTP_IF_NONE_MATCH=built["ETag"])
    assert cached.json() == built.json() and not_modified.status_code == 304
