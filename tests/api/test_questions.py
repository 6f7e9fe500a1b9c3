"""The concept-question, mock-interview and readiness endpoints: conventions, privacy, the server's clock,
and pinned query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.api.conftest import client_for
from tests.factories import QuestionFactory
from tracker.models import MockSession, QuestionCard, QuestionReview, User
from tracker.services.mock_interviews import PartScore, mock_session_score, mock_session_start
from tracker.services.questions import question_create, question_review_rate

pytestmark = pytest.mark.django_db

LINES = ("communication", "problem_solving", "technical_competency", "testing")


def _own(user: User, text: str = "My own question?") -> int:
    return question_create(user=user, question=text, answer="- mine", topic="cuda", directions=["compression"]).pk


def test_the_list_has_no_answers_and_filters_by_direction(learner: User, api: APIClient) -> None:
    QuestionFactory(directions="algorithms", question="Algo?")
    QuestionFactory(directions="compression", question="Compress?")
    body = api.get("/api/v1/questions/", {"direction": "compression"}).json()
    assert [q["question"] for q in body["results"]] == ["Compress?"]
    assert "answer" not in body["results"][0]
    assert body["count"] == 1


def test_another_learners_question_is_404_everywhere(learner: User, other_learner: User, api: APIClient) -> None:
    theirs = _own(other_learner, "Their secret?")
    assert api.get(f"/api/v1/questions/{theirs}/").status_code == 404
    assert api.post(f"/api/v1/questions/{theirs}/reviews/", {"rating": "good"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/questions/{theirs}/").status_code == 404
    listed = api.get("/api/v1/questions/").json()
    assert all(q["question"] != "Their secret?" for q in listed["results"])
    assert api.get("/api/v1/questions/review/").json()["question"] is None
    assert not QuestionReview.objects.exists()


def test_show_answer_gives_sanitised_html_and_answers_if_none_match(learner: User, api: APIClient) -> None:
    q = QuestionFactory(answer="- **bold**\n- <script>x</script>")
    first = api.get(f"/api/v1/questions/{q.pk}/")
    body = first.json()
    assert "<strong>bold</strong>" in body["answer_html"] and "<script>" not in body["answer_html"]
    assert body["sources"][0]["url"] == "https://docs.nvidia.com/cuda/"
    assert api.get(f"/api/v1/questions/{q.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_rating_is_idempotent_and_a_bad_rating_is_a_problem(learner: User, api: APIClient) -> None:
    q = QuestionFactory()
    bad = api.post(f"/api/v1/questions/{q.pk}/reviews/", {"rating": "great"}, format="json")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    headers = {"HTTP_IDEMPOTENCY_KEY": "rate-1"}
    one = api.post(f"/api/v1/questions/{q.pk}/reviews/", {"rating": "good"}, format="json", **headers)
    two = api.post(f"/api/v1/questions/{q.pk}/reviews/", {"rating": "good"}, format="json", **headers)
    assert one.status_code == two.status_code == 201
    assert QuestionReview.objects.filter(user=learner).count() == 1
    assert QuestionCard.objects.get(user=learner).reps == 1


def test_adding_and_deleting_an_own_question(learner: User, api: APIClient) -> None:
    made = api.post(
        "/api/v1/questions/",
        {
            "question": "Why fuse?",
            "answer": "- fewer kernels",
            "topic": "inference-deployment",
            "directions": ["deployment-sdk"],
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["own"] is True
    curated = QuestionFactory()
    assert api.delete(f"/api/v1/questions/{curated.pk}/").status_code == 403
    assert api.delete(f"/api/v1/questions/{made.json()['id']}/").status_code == 204


def test_the_review_endpoint_gives_the_most_overdue_question_without_its_answer(learner: User, api: APIClient) -> None:
    early = QuestionFactory(question="Early?")
    late = QuestionFactory(question="Late?")
    past = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    question_review_rate(user=learner, question=late, rating="again", now=past)
    question_review_rate(user=learner, question=early, rating="again", now=past - dt.timedelta(days=1))
    body = api.get("/api/v1/questions/review/").json()
    assert body["question"]["question"] == "Early?" and body["due_left"] == 2 and body["is_new"] is False
    assert "answer" not in body["question"]
    assert api.get("/api/v1/questions/review/", {"skip": early.pk}).json()["question"]["question"] == "Late?"


def _concepts(learner: User) -> None:
    for n in range(10):
        QuestionFactory(question=f"Q{n}?", directions="deployment-sdk")


def test_two_devices_see_the_same_time_left_and_the_session_closes_itself(learner: User, api: APIClient) -> None:
    _concepts(learner)
    phone = client_for(learner, "second phone")
    start = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        made = api.post(
            "/api/v1/mock-interviews/", {"format": "concepts", "direction": "deployment-sdk"}, format="json"
        )
        assert made.status_code == 201 and made.json()["seconds_left"] == 1200
        again = api.post(
            "/api/v1/mock-interviews/", {"format": "concepts", "direction": "deployment-sdk"}, format="json"
        )
        assert again.status_code == 409
    url = made.json()["url"]
    with time_machine.travel(start + dt.timedelta(minutes=12), tick=False):
        assert api.get(url).json()["seconds_left"] == phone.get(url).json()["seconds_left"] == 480
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        body = phone.get(url).json()
    assert body["status"] == "ended" and body["end_reason"] == "time_up" and body["seconds_left"] == 0
    assert body["ended_at"].startswith("2026-12-02T09:20:00")


def test_scoring_a_session_all_or_nothing(learner: User, api: APIClient) -> None:
    _concepts(learner)
    url = api.post(
        "/api/v1/mock-interviews/", {"format": "concepts", "direction": "deployment-sdk"}, format="json"
    ).json()["url"]
    parts = [{"position": n, **dict.fromkeys(LINES, 4)} for n in range(1, 11)]
    missing = api.post(url + "score/", {"parts": parts[:9]}, format="json")
    assert missing.status_code == 400 and "part 10" in missing.json()["errors"][0]["message"]
    assert not QuestionReview.objects.exists()
    done = api.post(url + "score/", {"parts": parts, "notes": "Good."}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "scored"
    assert QuestionReview.objects.filter(user=learner, rating=4).count() == 10
    trends = api.get("/api/v1/mock-interviews/trends/").json()
    assert [t["line"] for t in trends] == list(LINES) and trends[0]["latest"] == 4.0


def test_readiness_lists_the_four_directions_with_parts_and_actions(learner: User, api: APIClient) -> None:
    QuestionFactory()
    body = api.get("/api/v1/readiness/").json()
    assert [r["direction"] for r in body] == ["algorithms", "compression", "deployment-sdk", "operator-optimisation"]
    for row in body:
        assert 0 <= row["low"] <= row["score"] <= row["high"] <= 100
        assert [p["name"] for p in row["parts"]] == ["skills", "track", "problems", "retention", "exercises", "mocks"]
        assert row["mocks_shown"] is False and len(row["actions"]) <= 3


def _history(user: User, n: int) -> None:
    """n reviewed questions, n own ones and n scored mock interviews."""
    for i in range(n):
        q = QuestionFactory()
        question_review_rate(user=user, question=q, rating="good")
        _own(user, f"Own {i}?")
    for _ in range(10):
        QuestionFactory(directions="deployment-sdk")
    score = PartScore(**dict.fromkeys(LINES, 3))
    for _ in range(n):
        session = mock_session_start(user=user, format="concepts", level="medium", direction="deployment-sdk")
        mock_session_score(session=session, scores=dict.fromkeys(range(1, 11), score))


# url → queries: token, then what the view reads.
ENDPOINTS = {
    # count, page of questions (each with the learner's card as subqueries)
    "/api/v1/questions/": 3,
    # the first due question, the count of due ones
    "/api/v1/questions/review/": 3,
    # count, page of sessions, their parts with question, problem and pattern
    "/api/v1/mock-interviews/": 4,
    # sessions, their parts
    "/api/v1/mock-interviews/trends/": 3,
    # the learner's skill levels, the directions' skills, the career tracks' items, those completed, patterns,
    # problems solved alone by pattern, questions per set of directions, cards, exercises, those passed, mock
    # scores
    "/api/v1/readiness/": 12,
}


@pytest.mark.parametrize("url", sorted(ENDPOINTS))
def test_endpoints_cost_a_fixed_number_of_queries(
    url: str, learner: User, api: APIClient, django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    _history(learner, 2)
    api.get(url)  # warm-up: writes last_used_at
    with django_assert_num_queries(ENDPOINTS[url]):  # type: ignore[operator]
        small = api.get(url)
    _history(learner, 6)
    with django_assert_num_queries(ENDPOINTS[url]):  # type: ignore[operator]
        large = api.get(url)
    assert small.status_code == large.status_code == 200


def test_a_running_session_costs_the_same_to_read(
    learner: User, api: APIClient, django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    _concepts(learner)
    url = api.post(
        "/api/v1/mock-interviews/", {"format": "concepts", "direction": "deployment-sdk"}, format="json"
    ).json()["url"]
    # token, the session, its parts with question, problem and pattern
    with django_assert_num_queries(3):  # type: ignore[operator]
        assert api.get(url).status_code == 200
    assert MockSession.objects.get().status == "running"
