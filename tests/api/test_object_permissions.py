"""A learner never reaches another learner's objects: 404 (not 403, not the data), for reads and writes.

The matrix is generated from the URL conf: every /api/v1/ route with an id in its path must be listed in
PRIVATE (how to make the first learner's object) or SHARED (why everyone may address it), so a new
endpoint cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.factories import (
    DeadlineFactory,
    EnrollmentFactory,
    FeedPostFactory,
    FeedSubscriptionFactory,
    ItemFactory,
    ReadingQueueEntryFactory,
    SubmissionFactory,
    TrackFactory,
)
from tracker.models import Deadline, Enrollment, ReadingQueueEntry, User, Vacation
from tracker.services.tokens import api_token_create

Maker = Callable[[User], dict[str, int]]


def _own_item(owner: User) -> dict[str, int]:
    track = TrackFactory(owner=owner)
    return {"item_id": ItemFactory(track=track).pk}


def _own_attempt(owner: User) -> int:
    from tests.problems_support import load_sample
    from tracker.services.problems import problem_attempt_create

    problem = load_sample()["two-sum"]
    return problem_attempt_create(user=owner, problem=problem, outcome="solved_alone").attempt.pk


def _own_question(owner: User) -> int:
    from tracker.services.questions import question_create

    return question_create(
        user=owner, question="Private?", answer="- mine", topic="cuda", directions=["deployment-sdk"]
    ).pk


def _own_mock(owner: User) -> int:
    from tracker.services.mock_interviews import mock_session_start

    for _ in range(10):
        _own_question(owner)
    return mock_session_start(user=owner, format="concepts", level="medium", direction="deployment-sdk").pk


PRIVATE: dict[str, Maker] = {
    "token-detail": lambda owner: {"pk": api_token_create(user=owner, device_name="tablet")[0].pk},
    "track-detail": lambda owner: {"pk": TrackFactory(owner=owner).pk},
    "enrollment-detail": lambda owner: {"pk": EnrollmentFactory(user=owner).pk},
    "progress-detail": _own_item,
    "progress-done": _own_item,
    "progress-time": _own_item,
    "progress-review": _own_item,
    "vacation-detail": lambda owner: {
        "pk": Vacation.objects.create(user=owner, start_date="2026-04-01", end_date="2026-04-02").pk
    },
    "deadline-detail": lambda owner: {"pk": DeadlineFactory(owner=owner).pk},
    "reading-detail": lambda owner: {"pk": ReadingQueueEntryFactory(user=owner, item=ItemFactory()).pk},
    "submission-detail": lambda owner: {"pk": SubmissionFactory(user=owner).pk},
    "submission-regrade": lambda owner: {"pk": SubmissionFactory(user=owner).pk},
    "feed-detail": lambda owner: {"pk": FeedSubscriptionFactory(user=owner).pk},
    # A post of a feed the owner follows (and the other learner does not).
    "feed-post-queue": lambda owner: {"pk": FeedPostFactory(feed=FeedSubscriptionFactory(user=owner).feed).pk},
    "problem-attempt-detail": lambda owner: {"pk": _own_attempt(owner)},
    "question-detail": lambda owner: {"pk": _own_question(owner)},
    "question-review": lambda owner: {"pk": _own_question(owner)},
    "mock-detail": lambda owner: {"pk": _own_mock(owner)},
    "mock-end": lambda owner: {"pk": _own_mock(owner)},
    "mock-score": lambda owner: {"pk": _own_mock(owner)},
}
SHARED = {
    "skill-detail": "skills are curated: every learner reads them",
    "skill-level": "the level written is the caller's own assessment of a curated skill",
    "exercise-detail": "exercises are curated and public (their public view only)",
    "exercise-submissions": "the submission created is the caller's own; the exercise is public",
    "exercise-leaderboard": "every learner reads a timed exercise's board: handles only when published, and "
    "a submission id only on the caller's own row",
    "feed-curated-follow": "curated feeds are listed for everyone; following writes the caller's own subscription",
    "problem-detail": "LeetCode problems are curated; the notes, flag and status read or written are the caller's own",
    "problem-attempt-create": "the attempt recorded is the caller's own; the problem is curated",
}


def _api_routes() -> list[tuple[str, str, type]]:
    """(name, route, view class) of every /api/v1/ pattern."""
    found: list[tuple[str, str, type]] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif namespace == "api" and (prefix + str(pattern.pattern)).startswith("api/v1/"):
                view_class = getattr(pattern.callback, "view_class", None)
                assert view_class is not None, f"{pattern.name} is not a class-based view"
                found.append((str(pattern.name), prefix + str(pattern.pattern), view_class))

    walk(get_resolver().url_patterns, "", "")
    return found


ROUTES = _api_routes()
ID_ROUTES = [(name, route, view) for name, route, view in ROUTES if "<" in route]
METHODS = ("get", "put", "patch", "delete", "post")


def test_every_route_with_an_id_is_in_the_matrix() -> None:
    assert len(ROUTES) >= 25
    unlisted = sorted({name for name, _, _ in ID_ROUTES} - PRIVATE.keys() - SHARED.keys())
    assert not unlisted, f"add these routes to PRIVATE or SHARED in {__file__}: {unlisted}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "route", "method"),
    [(n, r, m) for n, r, v in ID_ROUTES if n in PRIVATE for m in METHODS if hasattr(v, m)],
)
def test_another_learners_object_is_not_found(
    name: str, route: str, method: str, learner: User, other_api: APIClient
) -> None:
    kwargs = PRIVATE[name](learner)
    url = "/" + route
    for key, value in kwargs.items():
        url = url.replace(f"<int:{key}>", str(value))
    assert "<" not in url, url
    before = _snapshot(learner)
    response = getattr(other_api, method)(url, {}, format="json")
    assert response.status_code == 404, (method, url, response.status_code, response.content[:300])
    body = response.json()
    assert body["status"] == 404 and body["code"] == "not_found"
    assert response["Content-Type"] == "application/problem+json"
    assert _snapshot(learner) == before, "a refused write changed the first learner's rows"


def _snapshot(user: User) -> tuple[object, ...]:
    return (
        list(Enrollment.objects.filter(user=user).values()),
        list(Deadline.objects.filter(owner=user).values()),
        list(ReadingQueueEntry.objects.filter(user=user).values()),
        list(Vacation.objects.filter(user=user).values()),
        list(user.submissions.values()),
        list(user.feed_subscriptions.values()),
        list(user.progress.values()),
        list(user.own_questions.values()),
        list(user.question_reviews.values()),
        list(user.mock_sessions.values()),
        user.auth_token_set.count(),
    )


LIST_ROUTES = {
    "enrollment-list": lambda owner: EnrollmentFactory(user=owner).pk,
    "deadline-list": lambda owner: DeadlineFactory(owner=owner).pk,
    "reading-list": lambda owner: ReadingQueueEntryFactory(user=owner, item=ItemFactory()).pk,
    "vacation-list": lambda owner: (
        Vacation.objects.create(user=owner, start_date="2026-04-01", end_date="2026-04-02").pk
    ),
    "track-list": lambda owner: TrackFactory(owner=owner).pk,
    "token-list": lambda owner: api_token_create(user=owner, device_name="tablet")[0].pk,
    "submission-list": lambda owner: SubmissionFactory(user=owner).pk,
    "feed-list": lambda owner: FeedSubscriptionFactory(user=owner).pk,
    "feed-post-list": lambda owner: FeedPostFactory(feed=FeedSubscriptionFactory(user=owner).feed).pk,
    "question-list": _own_question,
    "mock-list": _own_mock,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LIST_ROUTES))
def test_lists_hold_none_of_another_learners_rows(name: str, learner: User, other_api: APIClient) -> None:
    theirs = LIST_ROUTES[name](learner)
    route = next(r for n, r, _ in ROUTES if n == name)
    response = other_api.get("/" + route, {"page_size": 200})
    assert response.status_code == 200
    assert theirs not in [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_progress_list_holds_none_of_another_learners_rows(learner: User, other_api: APIClient) -> None:
    item = _own_item(learner)["item_id"]
    learner.progress.create(item_id=item, status="doing")
    assert other_api.get("/api/v1/progress/").json()["count"] == 0
